package main

import (
	"context"
	"fmt"
	"time"

	"github.com/parleyhq/parley/internal/ctxtime"
)

// What a caller heard of the agent, read after the fact: the voice events
// its receive loop kept (caller.heard) and the agent-speaking events of
// the signaling socket.

// heardSince returns the voice events dated at or after from, oldest first.
func (c *caller) heardSince(from time.Time) []voiceEvent {
	c.mu.Lock()
	defer c.mu.Unlock()
	var out []voiceEvent
	for _, ev := range c.heard {
		if !ev.At.Before(from) {
			out = append(out, ev)
		}
	}
	return out
}

// quiet returns once the agent has sent no voiced packet for hold, or
// fails after timeout.
func (c *caller) quiet(ctx context.Context, hold, timeout time.Duration) error {
	deadline := time.Now().Add(timeout)
	for {
		c.mu.Lock()
		since := time.Since(c.voiced)
		c.mu.Unlock()
		if since >= hold {
			return nil
		}
		if time.Now().After(deadline) {
			return fmt.Errorf("the agent did not fall silent for %s within %s", hold, timeout)
		}
		if err := ctxtime.Sleep(ctx, min(hold-since, 50*time.Millisecond)); err != nil {
			return err
		}
	}
}

// drainVoice drops the voice events queued for awaitVoice.
func (c *caller) drainVoice() {
	for {
		select {
		case <-c.voice:
		default:
			return
		}
	}
}

// drainSpeaking moves the agent-speaking events that have arrived into
// c.speaking (the newest maxHeard).
func (c *caller) drainSpeaking() {
	for {
		select {
		case ev := <-c.p.Peer.Sig.Speaking():
			if len(c.speaking) == maxHeard {
				c.speaking = append(c.speaking[:0], c.speaking[maxHeard/2:]...)
			}
			c.speaking = append(c.speaking, ev)
		default:
			return
		}
	}
}

// speakingBetween returns the first agent-speaking event in state that
// arrived in [from, to], among those drained.
func (c *caller) speakingBetween(state string, from, to time.Time) (time.Time, bool) {
	for _, ev := range c.speaking {
		if ev.State == state && !ev.At.Before(from) && !ev.At.After(to) {
			return ev.At, true
		}
	}
	return time.Time{}, false
}

// bargeStop finds, in the voice events of an agent reply that started at
// start, where the caller speaking over it from onset to end stopped it:
// the last voiced packet before the voice went quiet for the rest of the
// caller's speech. ok is false when the agent was still talking when the
// caller finished (no barge-in during the speech). inGap is true when the
// agent was already silent at onset (a pause between its sentences) and
// stayed silent: stop is then onset, a barge-in of zero as the caller
// heard it.
func bargeStop(events []voiceEvent, start, onset, end time.Time) (stop time.Time, ok, inGap bool) {
	talking := true // the reply is under way at start
	var lastEnd time.Time
	for _, ev := range events {
		if ev.At.Before(start) || ev.At.After(end) {
			continue
		}
		switch ev.Kind {
		case voiceStart:
			talking = true
		case voiceEnd:
			talking, lastEnd = false, ev.At
		}
	}
	if talking || lastEnd.IsZero() {
		return time.Time{}, false, false
	}
	if lastEnd.Before(onset) {
		return onset, true, true
	}
	return lastEnd, true, false
}

// stoppedForGood reports whether the agent's voice ended while the caller
// spoke from onset to end (or within slack after) and then stayed off for
// hold: a reply stopped rather than paused for a moment.
func stoppedForGood(events []voiceEvent, onset, end, horizon time.Time, slack, hold time.Duration) bool {
	var stoppedAt time.Time
	for _, ev := range events {
		switch {
		case ev.Kind == voiceEnd && stoppedAt.IsZero() && !ev.At.Before(onset) && !ev.At.After(end.Add(slack)):
			stoppedAt = ev.At
		case ev.Kind == voiceStart && !stoppedAt.IsZero() && ev.At.After(stoppedAt):
			if ev.At.Sub(stoppedAt) < hold {
				stoppedAt = time.Time{} // it resumed: look for another stop
				continue
			}
			return true
		}
	}
	return !stoppedAt.IsZero() && horizon.Sub(stoppedAt) >= hold
}
