package pipeline

import (
	"strings"
	"time"
)

// Barge-in: the caller speaking over the agent stops it once the speech
// has lasted turn_taking.barge_in_min_speech (min_speech when unset) and,
// when barge_in_min_words is set, once the STT's partial transcript of it
// has that many words. Speech over the agent that ends before both are
// met is ignored (onTurnEnd drops it) and the agent goes on.

// checkBargeIn interrupts the agent when the caller's speech over it has
// passed the thresholds. It runs after every VAD window and every partial
// transcript.
func (c *conversation) checkBargeIn(now time.Time) {
	if c.bargeInDue() {
		c.interrupt(now)
	}
}

// bargeInDue reports whether the caller's speech under way should stop the
// agent now.
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
	if l.det.speechTime < samples(tt.BargeInAfter()) {
		return false
	}
	if tt.BargeInMinWords > 0 && (l.turn == nil || l.turn.words < tt.BargeInMinWords) {
		return false
	}
	return true
}

// onPartial counts the words of a partial transcript of the turn under way
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
