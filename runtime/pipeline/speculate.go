package pipeline

import (
	"strings"
	"time"

	"github.com/parleyhq/parley/runtime/endpoint"
	"github.com/parleyhq/parley/runtime/metrics"
	"github.com/parleyhq/parley/runtime/provider"
)

// Speculative replies (turn_taking.speculate, with the adaptive wait):
// when the caller's silence reaches min_silence and the wait decided is
// longer, the STT is asked for the final transcript at once (the turn's
// ghost stands for it in c.finals), and when it comes the reply is written
// and spoken into a held queue (reply.speculative) while the wait lasts.
//   - The turn ends (onTurnEnd): the reply is confirmed and plays; the
//     caller hears it after the wait plus whatever of the providers' time
//     the wait did not cover.
//   - The caller speaks again first (hear): the reply is discarded (its
//     context cancelled: chat and TTS stop) and the turn goes on with all
//     of its audio, sent again to STT as one utterance (turnAudio; the
//     audio after the pause was only kept meanwhile).
// Nothing of a speculative reply is played, told to the clients, stored
// or acted on (its tools wait for confirmation) before it is confirmed.

// maybeSpeculate asks for t's final transcript at the start of its
// adaptive wait.
func (c *conversation) maybeSpeculate(t *uturn) {
	l := &c.lis
	if !c.spec.TurnTaking.Speculate || t.ghost != nil || t.held || t.overAgent || l.stream == nil || c.life.ending != "" {
		return
	}
	if !l.endUtterance() {
		return
	}
	g := &uturn{ghostOf: t}
	t.ghost, t.specAt, t.sttAsked = g, l.det.speechEnd, time.Now()
	c.finals = append(c.finals, g)
}

// onSpeculativeFinal takes the final transcript asked for by a
// speculation (g is its ghost).
func (c *conversation) onSpeculativeFinal(g *uturn, tr provider.Transcript) {
	if g.discarded {
		return // the caller went on: the turn's final comes later
	}
	t := g.ghostOf
	c.heardFinal(t, tr)
	l := &c.lis
	if l.turn != t {
		c.answer(t) // the turn ended while the final was on its way
		return
	}
	if strings.TrimSpace(t.text) != "" && c.life.ending == "" {
		t.specReply = c.speculate(t)
	}
	// The final is the best text there is of how finished the turn
	// sounds: the wait is decided again (and may end the turn now). A
	// final that extends the partial adds words; one that rewrites its end
	// ("log in by" -> "log in blood") shows a recogniser unsure of the
	// last words, and may not make the turn sound more finished than the
	// partial did.
	if !endpoint.Extends(t.text, t.partial) {
		t.textCap, t.capped = endpoint.Text(c.language(), t.partial), true
	}
	t.partial, t.words = t.text, len(strings.Fields(t.text))
	c.decideWait(l.nowPos())
	l.armEndOfTurn()
}

// confirmSpeculation: t has ended during its speculation, which stands.
// It reports false when t has none.
func (c *conversation) confirmSpeculation(t *uturn) bool {
	if t.ghost == nil {
		return false
	}
	t.ghost = nil
	if t.final.IsZero() {
		return true // the final is on its way: the turn is answered when it comes
	}
	r := t.specReply
	t.specReply = nil
	if r == nil {
		c.answer(t) // no reply was written (no words, or it failed): answer now
		return true
	}
	if chaosHook != nil {
		chaosHook(c.spec.Name, t.text)
	}
	c.emit(EventTranscript, map[string]any{"text": t.text, "final": true})
	c.confirm(r)
	return true
}

// discardSpeculation: the caller spoke again during t's wait. The
// speculation is dropped and the turn goes on with all of its audio.
func (c *conversation) discardSpeculation(t *uturn) {
	l := &c.lis
	t.ghost.discarded = true
	t.ghost = nil
	if r := t.specReply; r != nil {
		t.specReply = nil
		r.discard()
		c.e.cfg.Metrics.Speculation(c.spec.Name, metrics.SpeculationDiscarded)
	}
	t.final, t.text, t.language, t.capped = time.Time{}, "", "", false
	l.sttSend(l.turnAudio)
}
