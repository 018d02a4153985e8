package pipeline

import (
	"context"
	"errors"
	"strings"
	"time"

	"github.com/parleyhq/parley/runtime/agent"
	"github.com/parleyhq/parley/runtime/metrics"
	"github.com/parleyhq/parley/runtime/provider"
	"github.com/parleyhq/parley/runtime/provider/host"
	"github.com/parleyhq/parley/runtime/store"
	"github.com/parleyhq/parley/runtime/turn"
)

// finishReply stores a finished agent turn (and the caller's turn it
// answered), tells the clients, and hangs up or apologises when due.
func (c *conversation) finishReply(r *reply) {
	c.running--
	if c.reply == r {
		c.reply = nil
	}
	r.mu.Lock()
	discarded, unconfirmed, err := r.discarded, r.speculative, r.err
	r.mu.Unlock()
	if discarded {
		return // the caller went on: nothing of it was played or told
	}
	if unconfirmed {
		// It ended (failed) before its turn was confirmed: the turn is
		// answered afresh when it is.
		if t := r.user; t != nil && t.specReply == r {
			t.specReply = nil
		}
		if err != nil {
			c.log.Debug("speculative reply failed", "err", err)
		}
		return
	}
	r.mu.Lock()
	text := strings.TrimSpace(r.text.String())
	if r.interrupted {
		text = playedText(r.sentences, r.played)
	}
	interrupted, endCall, failed := r.interrupted, r.endCall, r.err
	transfer, destination := r.transfer, r.destination
	continued := r.continued
	r.mu.Unlock()

	if failed != nil {
		c.providerFailed(stageOf(failed), failed)
	}
	if r.user != nil || text != "" {
		c.emit(EventAgentResponse, map[string]any{"text": text, "final": true, "interrupted": interrupted})
	}
	if continued {
		// The caller's turn goes on in the turn that stopped r: the two
		// are answered and stored together, and r said nothing.
		c.log.Debug("false end of turn: the caller went on before the agent said a word", "heard", r.user.text)
		c.storeBackchannels(r)
	} else {
		c.store(r, text)
	}
	if c.ctx.Err() != nil {
		return // the call is over
	}
	if r.hangup != "" {
		// The goodbye has played (or was cut short): the call ends now.
		c.life.hardStop.Stop()
		c.line.Hangup(r.hangup)
		return
	}
	if c.life.ending != "" {
		return // the goodbye is on its way
	}
	switch {
	case transfer != "":
		// The caller asked for it: the transfer stands even when they
		// spoke over the agent's last words.
		c.log.Info("the agent transferred the call", "destination", destination)
		c.emit(EventTransfer, map[string]any{"destination": destination, "target": transfer})
		c.line.Hangup(ReasonTransferred)
	case failed != nil && r.fixed == "":
		c.apologise()
	case endCall && !interrupted && failed == nil:
		c.log.Info("the agent hung up")
		c.line.Hangup(ReasonAgentHangup)
	}
}

// store records the caller's turn (if any) and the agent's turn (if it
// said anything): at once in the history the chat model sees, and, off the
// loop, in the store (see recorder).
func (c *conversation) store(r *reply, text string) {
	var heard *turn.Heard
	if t := r.user; t != nil {
		heard = &turn.Heard{Text: t.said(), Start: t.began(), End: t.speechEnd, Timings: r.timings()}
		c.e.cfg.Metrics.TurnCompleted(c.spec.Name, c.providers, metricsOf(heard.Timings), r.interrupted)
	}
	start := r.firstPacketAt()
	if start.IsZero() {
		start = r.stopped
	}
	turns := turn.Stored(heard, turn.Said{Text: text, Interrupted: r.interrupted, Start: start, End: r.stopped, ToolCalls: r.toolCalls})
	r.mu.Lock()
	backchannels := r.backchannels
	r.mu.Unlock()
	if len(turns)+len(backchannels) == 0 {
		return
	}
	// The history holds copies of what the chat model needs (the recorder
	// fills in the stored turns' sentiment and sequence numbers), and only
	// as many turns as it is shown.
	for _, t := range turns {
		c.history = append(c.history, &store.Turn{Role: t.Role, Text: t.Text, ToolCalls: t.ToolCalls})
	}
	if keep := c.spec.History.MaxTurns; len(c.history) > 2*keep+2 {
		c.history = append(c.history[:0], c.history[len(c.history)-keep:]...)
	}
	rec := record{turns: append(turns, backchannels...)} // the chat model does not see acknowledgements
	if r.user != nil {
		rec.sentiment = r.sentiment
	}
	c.turns.add(rec)
}

// storeBackchannels stores the acknowledgements the caller said over r,
// and nothing else of it.
func (c *conversation) storeBackchannels(r *reply) {
	r.mu.Lock()
	backchannels := r.backchannels
	r.mu.Unlock()
	if len(backchannels) > 0 {
		c.turns.add(record{turns: backchannels})
	}
}

// timings are the measured stages of the caller's turn r answered.
func (r *reply) timings() store.Timings {
	t := r.user
	tm := store.Timings{
		SpeechStart:    t.began(),
		SpeechEnd:      t.speechEnd,
		STTFinalDelay:  t.final.Sub(t.sttAsked),
		ChatFirstToken: r.chatFirstToken,
		TTSFirstAudio:  r.ttsFirstAudio,
		FirstPacket:    r.firstPacketAt(),
		EndOfTurnWait:  t.wait,
	}
	if !tm.FirstPacket.IsZero() {
		// The runtime's share: from when the reply could have been ready
		// (the turn's deadline, plus the providers' time; a speculation
		// started them earlier, during the wait) to its first packet.
		providers := tm.STTFinalDelay + r.chatFirstSentence + tm.TTSFirstAudio
		deadline := t.speechEnd.Add(t.wait)
		start := t.sttAsked
		if !start.Before(deadline) {
			start = deadline // not speculative: the deadline's lateness is the runtime's
		}
		ready := start.Add(providers)
		if ready.Before(deadline) {
			ready = deadline
		}
		tm.RuntimeOverhead = tm.FirstPacket.Sub(ready)
	}
	return tm
}

func metricsOf(t store.Timings) metrics.TurnTimings {
	out := metrics.TurnTimings{STTFinal: t.STTFinalDelay, ChatFirstToken: t.ChatFirstToken, TTSFirstAudio: t.TTSFirstAudio,
		Overhead: t.RuntimeOverhead, EndOfTurnWait: t.EndOfTurnWait}
	if !t.FirstPacket.IsZero() {
		out.ResponseLatency = t.FirstPacket.Sub(t.SpeechEnd)
	}
	return out
}

// playedText is what of sentences was heard when d of their audio had
// played: the whole sentences, and the share of the words of the one cut
// off that its played time covers.
func playedText(sentences []spoken, d time.Duration) string {
	var b strings.Builder
	var start time.Duration
	for _, s := range sentences {
		if d <= start {
			break
		}
		text := s.text
		if d < s.end {
			words := strings.Fields(s.text)
			n := int(float64(len(words)) * float64(d-start) / float64(s.end-start))
			text = strings.Join(words[:n], " ")
		}
		if text != "" {
			if b.Len() > 0 {
				b.WriteByte(' ')
			}
			b.WriteString(text)
		}
		start = s.end
	}
	return b.String()
}

// apologies are spoken when a provider fails mid-turn and the agent file
// has no error_message.
var apologies = map[agent.Language]string{
	agent.LanguageKorean:  "죄송합니다, 문제가 생겼어요. 다시 한 번 말씀해 주시겠어요?",
	agent.LanguageEnglish: "Sorry, something went wrong on my side. Could you say that again?",
}

// apologise speaks the agent's apology after a failed turn.
func (c *conversation) apologise() {
	if c.life.ending != "" {
		return
	}
	c.startReply(nil, phrase(c.spec.ErrorMessage, apologies, agent.Language(c.language())))
}

// providerFailed logs a provider failure and counts it.
func (c *conversation) providerFailed(stage string, err error) {
	if errors.Is(err, context.Canceled) {
		return
	}
	plugin := map[string]string{"stt": c.providers.STT, "chat": c.providers.Chat, "tts": c.providers.TTS}[stage]
	if stage == "sentiment" && c.spec.Providers.Sentiment != nil {
		plugin = c.spec.Providers.Sentiment.Plugin
	}
	c.log.Error("provider failed", "stage", stage, "plugin", plugin, "err", err)
	c.e.cfg.Metrics.PluginError(plugin, errorKind(err))
}

func stageOf(err error) string {
	var pe providerError
	if errors.As(err, &pe) {
		return pe.stage
	}
	return "tts"
}

// errorKind is the metrics label of a provider error.
func errorKind(err error) string {
	switch {
	case errors.Is(err, provider.ErrUnavailable):
		return metrics.KindUnavailable
	case errors.Is(err, provider.ErrTimeout), errors.Is(err, context.DeadlineExceeded):
		return metrics.KindTimeout
	case errors.Is(err, provider.ErrInvalidInput):
		return metrics.KindInvalidInput
	case errors.Is(err, provider.ErrInvalidOptions):
		return metrics.KindInvalidOptions
	case errors.Is(err, provider.ErrRateLimited):
		return metrics.KindRateLimited
	case errors.Is(err, provider.ErrUnauthorized):
		return metrics.KindUnauthorized
	case errors.Is(err, provider.ErrUnsupported):
		return metrics.KindUnsupported
	case errors.Is(err, host.ErrBadResponse):
		return metrics.KindBadResponse
	case errors.Is(err, provider.ErrInternal):
		return metrics.KindInternal
	}
	return metrics.KindOther
}
