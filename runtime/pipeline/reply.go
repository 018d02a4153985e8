package pipeline

import (
	"context"
	"errors"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/parleyhq/parley/runtime/fault"
	"github.com/parleyhq/parley/runtime/metrics"
	"github.com/parleyhq/parley/runtime/pcm"
	"github.com/parleyhq/parley/runtime/service"
	"github.com/parleyhq/parley/runtime/store"
	"github.com/parleyhq/parley/runtime/turn"
)

// ReasonAgentHangup ends a call whose agent said goodbye.
const ReasonAgentHangup = "agent hangup"

// ReasonTransferred ends the agent's leg of a call it transferred
// (transfer_call); the same reason as conversation/process's.
const ReasonTransferred = service.ReasonTransferred

// reply is one agent turn: the answer to a caller's turn (user set), the
// greeting, or an apology (fixed text).
type reply struct {
	c     *conversation
	user  *uturn // nil for the greeting and apologies
	fixed string // text to speak without the chat provider
	cache bool   // fixed's speech may come from, and go into, the speech cache
	// req is the turn the engine answers: the history is a copy taken on
	// the loop, which owns it.
	req    turn.Request
	lang   string // the language it is spoken in
	ctx    context.Context
	cancel context.CancelFunc
	base   time.Duration // Player.Played when the reply began

	mu          sync.Mutex
	sentences   []spoken // queued for playing, in order
	text        strings.Builder
	started     bool // its first audio was queued
	interrupted bool
	endCall     bool
	transfer    string // where a transfer_call sends the caller
	destination string // the name the model gave it
	toolCalls   []store.ToolCall
	// backchannels are acknowledgements the caller said over it, stored
	// after it.
	backchannels []*store.Turn
	hangup       string // set on the goodbye of a call the agent ends: the reason
	err          error
	sentiment    chan *store.Sentiment

	played time.Duration // of its audio, when interrupted
	// continued: the caller's turn it answered goes on in the turn that
	// stopped it (continues), answered and stored with that one.
	continued bool
	// ranTools: the engine was allowed to run tools (AllowTools), which
	// toolCalls shows only once the reply is written.
	ranTools bool

	// A speculative reply is written before the caller's turn is
	// confirmed: its audio and text wait in held and heldText until
	// release (confirmed is closed then), its tools wait (AllowTools);
	// discarded when the caller went on.
	speculative bool
	held        []heldChunk
	heldText    strings.Builder
	confirmed   chan struct{}
	discarded   bool

	// Timings.
	chatFirstToken    time.Duration
	chatFirstSentence time.Duration // chat request -> first whole sentence
	ttsFirstAudio     time.Duration
	firstPacket       time.Time
	stopped           time.Time
}

// heldChunk is audio of a speculative reply waiting for release.
type heldChunk struct {
	audio pcm.Audio
	asked time.Time // when its sentence went to TTS
}

// spoken is a sentence queued for playing and where its audio ends.
type spoken struct {
	text string
	end  time.Duration // of Player.Played, relative to base
}

// speaking reports whether the reply is still going (written, queued or
// playing).
func (r *reply) speaking() bool {
	return r.ctx.Err() == nil
}

// startReply begins the agent's turn for t (or speaks fixed), cancelling
// any reply still running.
func (c *conversation) startReply(t *uturn, fixed string) { c.begin(t, fixed, true) }

// greet speaks the call's greeting. A greeting that uses variables differs
// from call to call: its speech is not cached, so it cannot push the
// agent's fixed texts out of the speech cache.
func (c *conversation) greet() { c.begin(nil, c.texts.Greeting, c.texts.GreetingFixed) }

// begin starts a reply; cache lets a fixed text's speech be cached.
func (c *conversation) begin(t *uturn, fixed string, cache bool) {
	if c.reply != nil {
		c.interrupt(time.Now(), whyReplaced, "")
	}
	r := c.newReply(t, fixed, cache)
	c.scoreFor(r)
	c.reply = r
	c.running++
	go r.run()
}

// newReply makes the reply to t (or speaking fixed), not started.
func (c *conversation) newReply(t *uturn, fixed string, cache bool) *reply {
	ctx, cancel := context.WithCancel(c.ctx)
	r := &reply{c: c, user: t, fixed: fixed, cache: cache && fixed != "", ctx: ctx, cancel: cancel, base: c.line.Player.Played(), lang: c.language()}
	if t != nil && fixed == "" {
		r.req = turn.Request{
			CallID: c.callID, Spec: c.spec, Chat: c.prov.Chat, History: slices.Clone(c.history),
			Text: t.said(), Language: t.language, SystemPrompt: c.texts.SystemPrompt, Values: c.texts.Values, Fault: c.fault,
		}
	}
	return r
}

// scoreFor starts scoring the sentiment of the caller's turn r answers.
func (c *conversation) scoreFor(r *reply) {
	if t := r.user; t != nil && c.prov.Sentiment != nil {
		r.sentiment = make(chan *store.Sentiment, 1)
		go c.score(t.said(), r.lang, r.sentiment)
	}
}

// speculate starts writing and speaking the reply to t before its turn is
// confirmed: nothing of it is played (nor told to the clients, nor any
// tool run) until confirm; discard drops it.
func (c *conversation) speculate(t *uturn) *reply {
	r := c.newReply(t, "", false)
	r.speculative, r.confirmed = true, make(chan struct{})
	c.running++
	c.e.cfg.Metrics.Speculation(c.spec.Name, metrics.SpeculationStarted)
	go r.run()
	return r
}

// confirm plays the speculative reply r: its caller's turn has ended.
func (c *conversation) confirm(r *reply) {
	if c.reply != nil {
		c.interrupt(time.Now(), whyReplaced, "")
	}
	c.scoreFor(r)
	c.reply = r
	c.e.cfg.Metrics.Speculation(c.spec.Name, metrics.SpeculationConfirmed)
	r.release()
}

// score runs sentiment beside the reply.
func (c *conversation) score(text, language string, out chan<- *store.Sentiment) {
	defer fault.Recover(metrics.ComponentPipeline, c.fault)
	ctx, cancel := context.WithTimeout(c.ctx, 10*time.Second)
	defer cancel()
	res, err := turn.Score(ctx, c.prov.Sentiment, c.spec, language, text)
	if err != nil {
		if ctx.Err() == nil {
			c.providerFailed("sentiment", err)
		}
		out <- nil
		return
	}
	c.emit(EventSentiment, map[string]any{"text": text, "sentiment": res.Label, "score": res.Score})
	c.e.cfg.Metrics.Sentiment(c.spec.Name, res.Label)
	out <- res
}

// run writes the reply and speaks it; the loop gets it back when done.
func (r *reply) run() {
	// After a panic in the loop nobody takes results any more: done is
	// closed then (and only then, in any other case the loop takes every
	// result before it exits).
	defer func() {
		select {
		case r.c.results <- r:
		case <-r.c.done:
		}
	}()
	defer fault.Recover(metrics.ComponentPipeline, r.c.fault)
	var err error
	if r.fixed != "" {
		r.text.WriteString(r.fixed)
		err = r.say(r.fixed)
	} else {
		err = r.answer()
	}
	if err == nil {
		err = r.awaitConfirmed()
	}
	if err == nil {
		// Let the Player finish what is queued.
		err = r.c.line.Player.WaitIdle(r.ctx)
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	r.stopped = time.Now()
	if err != nil && r.ctx.Err() == nil {
		r.err = err
	}
	if r.started && !r.interrupted {
		r.c.emit(EventAgentSpeaking, map[string]any{"state": SpeakingStop})
	}
	r.cancel()
}

// answer has the turn engine write the reply; its sentences are spoken
// as they come.
func (r *reply) answer() error {
	res, err := r.c.e.turns.Reply(r.ctx, r.req, r)
	r.mu.Lock()
	r.text.Reset()
	r.text.WriteString(res.Text)
	r.endCall = res.EndCall
	r.transfer, r.destination = res.Transfer, res.Destination
	r.toolCalls = res.ToolCalls
	r.chatFirstToken, r.chatFirstSentence = res.ChatFirstToken, res.ChatFirstSentence
	r.mu.Unlock()
	if err != nil {
		var se speakError
		if errors.As(err, &se) {
			return se.err
		}
		return providerError{"chat", err}
	}
	return nil
}

// Delta implements turn.Output: the reply's text as it is written (held
// until release while speculative).
func (r *reply) Delta(text string) {
	r.mu.Lock()
	if r.speculative {
		r.heldText.WriteString(text)
		r.mu.Unlock()
		return
	}
	r.mu.Unlock()
	r.c.emit(EventAgentResponse, map[string]any{"text": text, "final": false})
}

// AllowTools implements turn.ToolGate: a speculative reply runs no tool
// before the caller's turn is confirmed.
func (r *reply) AllowTools(context.Context) error {
	if err := r.awaitConfirmed(); err != nil {
		return err
	}
	r.mu.Lock()
	r.ranTools = true
	r.mu.Unlock()
	return nil
}

// awaitConfirmed waits until a speculative reply is released (at once for
// any other), or its context ends.
func (r *reply) awaitConfirmed() error {
	if r.confirmed == nil {
		return nil
	}
	select {
	case <-r.confirmed:
		return nil
	case <-r.ctx.Done():
		return r.ctx.Err()
	}
}

// release plays a speculative reply: the caller's turn is confirmed. The
// audio held so far is queued, in order, before any that follows.
func (r *reply) release() {
	r.mu.Lock()
	defer r.mu.Unlock()
	if !r.speculative || r.ctx.Err() != nil {
		return
	}
	r.speculative = false
	r.base = r.c.line.Player.Played()
	if r.heldText.Len() > 0 {
		r.c.emit(EventAgentResponse, map[string]any{"text": r.heldText.String(), "final": false})
	}
	for _, h := range r.held {
		if err := r.queueLocked(h.audio, h.asked); err != nil {
			break
		}
	}
	r.held = nil
	close(r.confirmed)
}

// discard drops a speculative reply: the caller went on.
func (r *reply) discard() {
	r.mu.Lock()
	r.discarded = true
	r.held = nil
	r.mu.Unlock()
	r.cancel()
}

// Say implements turn.Output: one sentence of the reply, spoken.
func (r *reply) Say(_ context.Context, sentence string) error {
	if err := r.say(sentence); err != nil {
		return speakError{err}
	}
	return nil
}

// Filler implements turn.Output: a phrase while a slow tool runs.
func (r *reply) Filler(_ context.Context, phrase string) error {
	return r.say(phrase)
}

// Tool implements turn.Output: tool calls go to the clients as they start
// and end.
func (r *reply) Tool(ev turn.ToolEvent) {
	p := map[string]any{"id": ev.Call.ID, "name": ev.Call.Name, "arguments": ev.Call.Arguments, "state": ToolRunning}
	if ev.Done {
		p["durationMs"] = float64(ev.Call.Duration.Microseconds()) / 1000
		if ev.Call.Error != "" {
			p["state"], p["error"] = ToolFailed, ev.Call.Error
		} else {
			p["state"], p["result"] = ToolSucceeded, ev.Call.Result
		}
	}
	r.c.emit(EventToolCall, p)
}

// speakError is a TTS failure met while the engine wrote the reply.
type speakError struct{ err error }

func (e speakError) Error() string { return e.err.Error() }
func (e speakError) Unwrap() error { return e.err }

// say synthesises one sentence and queues its audio as it comes. Fixed
// texts (greetings, apologies) are synthesised once per agent version and
// voice, then played from memory: every call of an agent greets alike.
func (r *reply) say(sentence string) error {
	c := r.c
	key := ""
	if r.cache {
		key = strings.Join([]string{c.spec.Name, c.spec.Version, c.spec.Voice, r.lang, sentence}, "\x00")
		if chunks, ok := c.e.speech.get(key); ok {
			var queued time.Duration
			for _, chunk := range chunks {
				if err := r.queue(chunk, time.Now()); err != nil {
					return err
				}
				queued += chunk.Duration()
			}
			r.spoke(sentence, queued)
			return nil
		}
	}
	asked := time.Now()
	var queued time.Duration
	var chunks []pcm.Audio
	err := turn.Speak(r.ctx, c.prov.TTS, c.spec, r.lang, sentence, func(a pcm.Audio) error {
		if err := r.queue(a, asked); err != nil {
			return err
		}
		queued += a.Duration()
		if key != "" {
			chunks = append(chunks, a)
		}
		return nil
	})
	if err != nil {
		return providerError{"tts", err}
	}
	if key != "" {
		c.e.speech.put(key, chunks)
	}
	r.spoke(sentence, queued)
	return nil
}

// queue hands one chunk of the reply's speech to the Player; the first
// one marks the start of the agent's voice.
func (r *reply) queue(chunk pcm.Audio, asked time.Time) error {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.speculative {
		if r.ctx.Err() != nil {
			return r.ctx.Err()
		}
		if len(r.held) == 0 && r.ttsFirstAudio == 0 {
			if r.ttsFirstAudio == 0 { // not measured when it was held
				r.ttsFirstAudio = time.Since(asked)
			}
		}
		r.held = append(r.held, heldChunk{audio: chunk, asked: asked})
		return nil
	}
	return r.queueLocked(chunk, asked)
}

// queueLocked is queue with r.mu held.
func (r *reply) queueLocked(chunk pcm.Audio, asked time.Time) error {
	c := r.c
	if r.ctx.Err() != nil {
		return r.ctx.Err()
	}
	if !r.started {
		r.started = true
		r.ttsFirstAudio = time.Since(asked)
		c.line.Player.Mark(func(at time.Time) {
			r.mu.Lock()
			r.firstPacket = at // the Player's goroutine: read it with firstPacketAt
			r.mu.Unlock()
		})
		c.emit(EventAgentSpeaking, map[string]any{"state": SpeakingStart})
	}
	return c.line.Player.Enqueue(chunk)
}

// firstPacketAt is when the reply's first packet went out (zero: not
// yet); the Player sets it on its own goroutine.
func (r *reply) firstPacketAt() time.Time {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.firstPacket
}

// spoke records that sentence's audio, queued long, follows the previous
// sentences'.
func (r *reply) spoke(sentence string, queued time.Duration) {
	r.mu.Lock()
	defer r.mu.Unlock()
	prev := time.Duration(0)
	if n := len(r.sentences); n > 0 {
		prev = r.sentences[n-1].end
	}
	r.sentences = append(r.sentences, spoken{text: sentence, end: prev + queued})
}

// interrupt stops the running reply at once: the caller spoke over it
// (why says how it was decided, heard what the caller said so far), or
// another reply or the end of the call replaces it.
func (c *conversation) interrupt(now time.Time, why, heard string) {
	c.interruptBy(now, why, heard, nil)
}

// interruptBy is interrupt by the caller's turn by (nil: not a turn of
// the caller's), which may go on with the turn the reply answered
// (continues).
func (c *conversation) interruptBy(now time.Time, why, heard string, by *uturn) {
	r := c.reply
	if r == nil || !r.speaking() {
		return
	}
	r.mu.Lock()
	r.interrupted = true
	r.cancel()
	c.line.Player.Flush()
	r.played = c.line.Player.Played() - r.base
	started, first := r.started, r.firstPacket
	if by != nil && r.continues(by) {
		r.continued, by.before = true, r.user
	}
	r.mu.Unlock()
	if started {
		c.emit(EventAgentSpeaking, map[string]any{"state": SpeakingInterrupted})
	}
	c.log.Debug("barge-in", "after", now.Sub(first), "why", why, "heard", heard, "continues", by != nil && by.before == r.user)
}

// continues reports whether the caller's turn by, which stops r, is the
// turn r answered going on: a false end of turn, as when a caller pauses
// after "Where is my order?" just long enough for the agent to start, and
// goes on "It has not arrived yet". So it is when that turn ended on a
// silence (by began at least half of min_silence after its speech; a turn
// cut at max_turn while the caller talks on is not one), none of r's
// words had been heard yet (a part of its first word at most), and r had
// started no tool and was to end or pass on nothing; the agent then answers
// both as one turn (uturn.said), and neither r nor the turn it answered
// is stored apart. Called with r.mu held.
func (r *reply) continues(by *uturn) bool {
	if r.user == nil || by == r.user || r.fixed != "" || r.speculative {
		return false
	}
	minSilence, _ := r.c.spec.TurnTaking.Silences()
	return by.speechStart.Sub(r.user.speechEnd) >= minSilence/2 &&
		!r.ranTools && len(r.toolCalls) == 0 && !r.endCall && r.transfer == "" && r.hangup == "" &&
		playedText(r.sentences, r.played) == ""
}

// stopReply cancels the running reply and waits for every reply still
// finishing, storing what they said (the call ended).
func (c *conversation) stopReply() {
	if r := c.reply; r != nil {
		c.interrupt(time.Now(), whyEnded, "")
	}
	for c.running > 0 {
		c.finishReply(<-c.results)
	}
}

// providerError names the stage that failed.
type providerError struct {
	stage string
	err   error
}

func (e providerError) Error() string { return e.stage + ": " + e.err.Error() }
func (e providerError) Unwrap() error { return e.err }
