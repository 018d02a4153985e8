package main

import (
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"time"

	"github.com/parleyhq/parley/internal/ctxtime"
	"github.com/parleyhq/parley/test/turns"
)

// Pacing of -mode taking's callers.
const (
	// quietHold is how long the agent must be silent before a caller says
	// the next item: longer than a pause between its sentences.
	quietHold = 900 * time.Millisecond
	// quietTimeout bounds the wait for the agent to finish a reply.
	quietTimeout = 45 * time.Second
	// replyTimeout bounds the wait for the agent's answer after an item.
	replyTimeout = 10 * time.Second
	// watchAfter is how long a caller keeps listening after speaking over
	// the agent before judging what its speech did.
	watchAfter = 2500 * time.Millisecond
	// stopHold is how long the agent's voice must stay off after speech
	// over it for the reply to count as stopped for good.
	stopHold = 2 * time.Second
)

// itemResult is what a caller saw of one item.
type itemResult struct {
	Item   *takeItem
	CallID string
	Said   spoke // the item's first and last packets
	Err    string
	// Finished and paused items: the agent's first voice after the item's
	// onset (zero: none in time).
	Answer time.Time
	// Backchannel and interruption items: the reply spoken over, from its
	// first voiced packet.
	Reply time.Time
	// Stopped: the agent's last voiced packet before it fell silent for
	// the rest of the item (interruptions; zero: it went on talking);
	// InGap: it was between sentences at the onset and stayed silent.
	Stopped time.Time
	InGap   bool
	// Interrupted is when the agent-speaking interrupted event arrived,
	// if it did while the item was spoken or within a second after.
	Interrupted time.Time
	// StoppedForGood: the agent's voice ended during the item and stayed
	// off for stopHold.
	StoppedForGood bool
}

// taker is one caller of -mode taking: it says its items one after the
// other on a call, placing a new call when the agent ends one (the
// default agent hangs up on "goodbye" and transfers on "someone").
type taker struct {
	e        *bench
	sh       *shared
	idx      int
	greeting bool       // the agent greets: wait for it on a new call
	prompt   *utterance // what a caller says to get a long reply to speak over
	c        *caller
	placed   int
	calls    []*caller // every call placed, for their histories and hang-up
}

// run says items in order and returns what was seen of each.
func (w *taker) run(ctx context.Context, items []*takeItem) []itemResult {
	var out []itemResult
	for _, it := range items {
		if ctx.Err() != nil {
			break
		}
		r := itemResult{Item: it}
		if err := w.ready(ctx); err != nil {
			r.Err = err.Error()
		} else {
			r = w.take(ctx, it)
		}
		if w.e.o.Verbose {
			fmt.Fprintf(w.e.out, "%s %s\n", it.ID, r.describe())
		}
		out = append(out, r)
	}
	return out
}

// ready returns once the caller is on a live call and the agent has been
// silent for quietHold. A call the agent ended (the default agent hangs
// up on "goodbye" and transfers on "someone") is replaced.
func (w *taker) ready(ctx context.Context) error {
	for range 2 {
		if err := w.ensureCall(ctx); err != nil {
			return err
		}
		if err := w.c.quiet(ctx, quietHold, quietTimeout); err != nil {
			return err
		}
		info, err := w.sh.rest.Call(ctx, w.c.p.Info.ID)
		if err != nil {
			// The call's status is unknown: go on with it; the item's
			// own requests report a call that is gone.
			w.e.logf("call %s: status unknown (%v): going on", w.c.p.Info.ID, err)
			return nil //nolint:nilerr // not knowing the status is not a reason to stop the run
		}
		if info.Status != "ENDED" {
			return nil
		}
		w.e.logf("call %s ended (%s): placing another", info.ID, info.EndReason)
		w.c = nil
	}
	return errors.New("the agent ended a new call at once")
}

// ensureCall places a call if the caller has none, and lets its greeting
// finish.
func (w *taker) ensureCall(ctx context.Context) error {
	if w.c != nil {
		return nil
	}
	w.placed++
	calls, err := w.e.place(ctx, w.sh, 1, w.idx*1000+w.placed, nil)
	if err != nil {
		return err
	}
	w.c = calls[0]
	w.calls = append(w.calls, w.c)
	if w.greeting {
		if _, err := w.c.awaitVoice(ctx, voiceStart, time.Time{}, replyTimeout); err != nil {
			w.e.logf("call %s: no greeting heard: %v", w.c.p.Info.ID, err)
		}
	}
	return nil
}

// take says one item as its kind asks and watches the agent; the caller
// is ready.
func (w *taker) take(ctx context.Context, it *takeItem) itemResult {
	c := w.c
	r := itemResult{Item: it, CallID: c.p.Info.ID}
	c.drainVoice()
	c.drainSpeaking()
	switch it.Kind {
	case turns.Finished, turns.Paused:
		sp, err := c.say(ctx, it.Say)
		if err != nil {
			r.Err = err.Error()
			return r
		}
		r.Said = sp
		ans, err := c.awaitVoice(ctx, voiceStart, sp.Onset, time.Until(sp.End.Add(replyTimeout)))
		if err != nil {
			r.Err = "no answer: " + err.Error()
			return r
		}
		r.Answer = ans.At
	default:
		p, err := c.say(ctx, w.prompt)
		if err != nil {
			r.Err = err.Error()
			return r
		}
		reply, err := c.awaitVoice(ctx, voiceStart, p.End, replyTimeout)
		if err != nil {
			r.Err = "no reply to speak over: " + err.Error()
			return r
		}
		r.Reply = reply.At
		// Speak 0.5-1.5 s into the reply, as a listener does.
		if ctxtime.Sleep(ctx, 500*time.Millisecond+rand.N(time.Second)) != nil { //nolint:gosec // not security
			return r
		}
		sp, err := c.say(ctx, it.Say)
		if err != nil {
			r.Err = err.Error()
			return r
		}
		r.Said = sp
		if ctxtime.Sleep(ctx, watchAfter) != nil {
			return r
		}
		heard := c.heardSince(reply.At)
		r.Stopped, _, r.InGap = bargeStop(heard, reply.At, sp.Onset, sp.End)
		r.StoppedForGood = stoppedForGood(heard, sp.Onset, sp.End, time.Now(), 300*time.Millisecond, stopHold)
		c.drainSpeaking()
		r.Interrupted, _ = c.speakingBetween("interrupted", sp.Onset, sp.End.Add(time.Second))
	}
	return r
}

// describe is one line about r for -v.
func (r itemResult) describe() string {
	if r.Err != "" {
		return "not measured: " + r.Err
	}
	switch r.Item.Kind {
	case turns.Finished, turns.Paused:
		return fmt.Sprintf("answered %.0fms after the end of speech", ms(r.Answer.Sub(r.Said.End)))
	}
	s := "agent went on"
	if !r.Stopped.IsZero() {
		s = fmt.Sprintf("agent silent %.0fms after the onset", ms(r.Stopped.Sub(r.Said.Onset)))
	}
	if !r.Interrupted.IsZero() {
		s += fmt.Sprintf(", interrupted event at %.0fms", ms(r.Interrupted.Sub(r.Said.Onset)))
	}
	if r.StoppedForGood {
		s += ", stopped for good"
	}
	return s
}
