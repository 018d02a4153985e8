package pipeline

import (
	"strings"
	"time"

	"github.com/parleyhq/parley/runtime/agent"
	"github.com/parleyhq/parley/runtime/endpoint"
	"github.com/parleyhq/parley/runtime/store"
)

// Barge-in: the caller speaking over the agent stops it once the speech
// has lasted turn_taking.barge_in_min_speech (min_speech when unset) and,
// when barge_in_min_words is set, once the STT's partial transcript of it
// has that many words. Speech over the agent that ends before both are
// met is ignored (onTurnEnd drops it) and the agent goes on.
//
// With turn_taking.backchannel on (the default), passing the speech
// threshold only pauses the agent (as fast as a barge-in stops it); the
// words then decide:
//   - a partial transcript with more words than any acknowledgement
//     (endpoint.Backchannels.Long), or speech longer than
//     backchannel.max_speech, is an interruption: the agent stops;
//   - at the end of the caller's speech, its final transcript decides:
//     an acknowledgement ("uh-huh", "okay", "네"), up to three words
//     without an interruption cue (a misheard acknowledgement:
//     endpoint.Backchannels.Likely), or no words at all (a cough) lets the
//     agent resume where it paused, and is stored as a backchannel, not
//     as a turn; anything else ("wait", "no, the other one") is an
//     interruption, answered as a turn. Shorter speech is not decided on
//     its partials: a recogniser's first guesses at a quick "yeah" are
//     often other words, cue words among them, and the agent is silent
//     (paused) meanwhile anyway.

// newBackchannels returns the acknowledgements of spec: its own list for
// each language it names, the built-in lists for the others. nil when
// backchannels are off.
func newBackchannels(spec *agent.Spec) *endpoint.Backchannels {
	tt := spec.TurnTaking
	if !tt.BargeIn || !tt.Backchannel.Enabled {
		return nil
	}
	lists := map[string][]string{}
	for lang, phrases := range endpoint.DefaultBackchannels {
		lists[lang] = phrases
	}
	for tag, phrases := range tt.Backchannel.Words {
		lists[agent.BaseLanguage(tag)] = phrases
	}
	var all []string
	for _, phrases := range lists {
		all = append(all, phrases...)
	}
	return endpoint.NewBackchannels(all)
}

// checkBargeIn interrupts (or, with backchannels, pauses) the agent when
// the caller's speech over it has passed the thresholds, and decides a
// pause once the speech says it is an interruption. It runs after every
// VAD window and every partial transcript.
func (c *conversation) checkBargeIn(now time.Time) {
	t := c.lis.turn
	if t != nil && t.held {
		if why := c.isInterruption(t); why != "" {
			c.interruptBy(now, why, t.partial, t)
		}
		return
	}
	if !c.bargeInDue() {
		return
	}
	if c.bc == nil {
		if n := c.spec.TurnTaking.BargeInMinWords; n == 0 || (t != nil && t.words >= n) {
			var heard string
			if t != nil {
				heard = t.partial
			}
			c.interruptBy(now, whySpeech, heard, t)
		}
		return
	}
	if t == nil {
		return // not a turn yet: it is decided once it becomes one
	}
	t.held, t.heldReply = true, c.reply
	c.pause()
	c.log.Debug("speech over the agent: paused", "heard", t.partial)
	if why := c.isInterruption(t); why != "" {
		c.interruptBy(now, why, t.partial, t)
	}
}

// Why a reply was interrupted (the "barge-in" debug line's why).
const (
	whySpeech   = "speech"     // speech over it passed the barge-in thresholds
	whyLong     = "long"       // speech over it passed backchannel.max_speech
	whyWords    = "words"      // the partial has more words than an acknowledgement
	whyFinal    = "final"      // the final transcript is not an acknowledgement
	whyReplaced = "replaced"   // another reply starts
	whyEnded    = "call ended" // the call ended
)

// bargeInDue reports whether the caller's speech under way has passed the
// speech threshold over the talking agent.
func (c *conversation) bargeInDue() bool {
	l := &c.lis
	tt := c.spec.TurnTaking
	if !tt.BargeIn || c.reply == nil || !c.reply.speaking() || c.life.ending != "" || !l.det.inSpeech {
		return false
	}
	// A turn that began before the agent started talking (its reply came
	// while the caller was still speaking) does not interrupt it.
	if l.turn != nil && !l.turn.overAgent {
		return false
	}
	return l.det.speechTime >= samples(tt.BargeInAfter())
}

// isInterruption reports why speech that paused the agent has shown it
// is not an acknowledgement before it ends ("" when it has not): too
// long, or a partial transcript with more words than any acknowledgement
// (and as many as barge_in_min_words). The final transcript decides the
// rest (backchannel).
func (c *conversation) isInterruption(t *uturn) (why string) {
	tt := c.spec.TurnTaking
	switch {
	case c.lis.det.speechTime > samples(tt.Backchannel.MaxSpeech.Std()):
		return whyLong
	case t.words >= tt.BargeInMinWords && c.bc.Long(t.partial):
		return whyWords
	}
	return ""
}

// pause holds the agent's voice while the caller's speech over it is
// decided.
func (c *conversation) pause() {
	r := c.reply
	if r == nil || !r.speaking() || c.line.Player.Paused() {
		return
	}
	c.line.Player.Pause()
	r.mu.Lock()
	started := r.started
	r.mu.Unlock()
	if started {
		c.emit(EventAgentSpeaking, map[string]any{"state": SpeakingPaused})
	}
}

// resume lets the paused agent go on.
func (c *conversation) resume() {
	c.line.Player.Resume()
	c.emit(EventAgentSpeaking, map[string]any{"state": SpeakingResumed})
}

// backchannel decides a turn the agent paused for, on its final
// transcript: an acknowledgement (or no words: a cough) lets the agent go
// on and is stored as a backchannel; it reports true then. Anything else
// stops the agent and is answered as a turn (false).
func (c *conversation) backchannel(t *uturn, text string) bool {
	if !t.held {
		return false
	}
	paused := t.heldReply == c.reply && c.reply != nil && c.reply.speaking()
	switch {
	case t.resumed:
		// The agent went on at the end of the speech (its partial was an
		// acknowledgement): the final is what is stored.
	case !paused:
		return false // the reply ended or was stopped: answer the turn
	case strings.TrimSpace(text) == "" || c.bc.Match(text) || c.bc.Likely(text):
		c.log.Debug("backchannel: the agent goes on", "heard", text)
		c.resume()
	default:
		c.interruptBy(time.Now(), whyFinal, text, t)
		return false
	}
	if strings.TrimSpace(text) == "" {
		text = t.partial
	}
	if strings.TrimSpace(text) == "" {
		return true // a sound without words: nothing to store
	}
	c.emit(EventTranscript, map[string]any{"text": text, "final": true, "backchannel": true})
	c.e.cfg.Metrics.Backchannel(c.spec.Name)
	bc := &store.Turn{Role: store.RoleUser, Text: text, Backchannel: true, StartedAt: t.speechStart, EndedAt: t.speechEnd}
	if r := t.heldReply; r != nil && r.speaking() {
		// Stored after the agent turn it was said over.
		r.mu.Lock()
		r.backchannels = append(r.backchannels, bc)
		r.mu.Unlock()
		return true
	}
	c.turns.add(record{turns: []*store.Turn{bc}})
	return true
}

// onPartial keeps the words of a partial transcript of the turn under way
// and checks whether they make it a barge-in.
func (c *conversation) onPartial(text string) {
	t := c.lis.turn
	if t == nil {
		return // a partial of a turn already ended
	}
	t.words = len(strings.Fields(text))
	t.partial = text
	c.checkBargeIn(time.Now())
	// New words during the silence after the turn's speech may change
	// how long to wait.
	if l := &c.lis; l.turn == t && l.det.confirmed && l.det.wait != 0 {
		c.decideWait(l.nowPos())
		l.armEndOfTurn()
	}
}
