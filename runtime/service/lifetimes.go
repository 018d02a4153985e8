package service

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/parleyhq/parley/runtime/call"
	"github.com/parleyhq/parley/runtime/fault"
)

// Lifetimes bounds how long calls live and how long finished calls are
// kept. Together they bound what the runtime holds per call: every call
// ends, and its entry in Calls (its agent spec) goes with it.
type Lifetimes struct {
	// RingTimeout: a call still INITIATING or RINGING this long after it
	// was created (CONNECTING too when an agent answers it: no media came)
	// FAILS with reason "no answer". A person-to-person call that
	// connected is left to MaxDuration: the runtime does not see its media.
	RingTimeout time.Duration
	// MaxDuration is the longest call. The conversation of an agent call
	// says goodbye and ends it then (pipeline); this sweep is the backstop
	// for calls that nothing else ends (person-to-person calls, a stuck
	// conversation): a call live for RingTimeout + MaxDuration + a minute
	// ENDS with reason "max duration". 0 turns the backstop off.
	MaxDuration time.Duration
	// Retention: finished calls created this long ago are deleted with
	// their turns, in small batches; 0 keeps them forever.
	Retention time.Duration
	// Every is how often calls are swept: 0 for a quarter of RingTimeout,
	// between 1 s and 15 s. Retention runs every 10 minutes.
	Every time.Duration
}

// Batch sizes of the sweeps: small, so that no sweep holds the store's
// write lock long enough to delay a live call's writes.
const (
	sweepBatch     = 200
	retentionBatch = 500
	retentionEvery = 10 * time.Minute
	// retentionPause separates two batches of deletes.
	retentionPause = 20 * time.Millisecond
	// maxDurationGrace is how long past its max duration the backstop
	// lets a call's conversation end it itself (with its goodbye).
	maxDurationGrace = time.Minute
)

func (l Lifetimes) every() time.Duration {
	if l.Every > 0 {
		return l.Every
	}
	return min(max(l.RingTimeout/4, time.Second), 15*time.Second)
}

// RunLifetimes sweeps calls by l until ctx is done. Its goroutine belongs
// to the caller (cmd runs it in its errgroup); a panic in a sweep is
// logged and the next sweep goes on.
func (s *Calls) RunLifetimes(ctx context.Context, l Lifetimes) error {
	if l.RingTimeout <= 0 {
		return errors.New("lifetimes: the ring timeout must be positive")
	}
	tick := time.NewTicker(l.every())
	defer tick.Stop()
	var lastRetention time.Time
	for {
		s.safely("sweep calls", func() { s.SweepCalls(ctx, l) })
		if l.Retention > 0 && s.now().Sub(lastRetention) >= retentionEvery {
			lastRetention = s.now()
			s.safely("retention", func() { _, _ = s.DeleteExpired(ctx, l.Retention) })
		}
		select {
		case <-ctx.Done():
			return nil
		case <-tick.C:
		}
	}
}

// safely runs f, logging a panic in it.
func (s *Calls) safely(what string, f func()) {
	defer fault.Recover("other", func(p *fault.Panic) {
		s.log.Error("panic contained", "in", what, "panic", fmt.Sprint(p.Value), "stack", string(p.Stack))
	})
	f()
}

// SweepCalls fails the calls that rang unanswered past the ring timeout
// and ends those past the max-duration backstop; it returns how many it
// changed. RunLifetimes calls it; it is exported for tests.
func (s *Calls) SweepCalls(ctx context.Context, l Lifetimes) int {
	now := s.now()
	n := 0
	ringing, err := s.store.LiveCallsBefore(ctx, []call.Status{call.StatusInitiating, call.StatusRinging, call.StatusConnecting},
		now.Add(-l.RingTimeout), sweepBatch)
	if err != nil {
		s.log.ErrorContext(ctx, "ring timeout sweep failed", "err", err)
	}
	for _, c := range ringing {
		if c.Status == call.StatusConnecting && c.PersonToPerson() {
			continue // connected between two people: the max duration decides
		}
		if s.expire(ctx, c, call.ReasonNoAnswer) {
			n++
		}
	}
	if l.MaxDuration <= 0 {
		return n
	}
	long, err := s.store.LiveCallsBefore(ctx, []call.Status{call.StatusConnecting, call.StatusInProgress},
		now.Add(-(l.RingTimeout + l.MaxDuration + maxDurationGrace)), sweepBatch)
	if err != nil {
		s.log.ErrorContext(ctx, "max duration sweep failed", "err", err)
	}
	for _, c := range long {
		if s.expire(ctx, c, call.ReasonMaxDuration) {
			n++
		}
	}
	return n
}

// expire fails (no answer) or ends (max duration) c, provided it still
// has the status the sweep saw: a call that connected in between is left
// alone.
func (s *Calls) expire(ctx context.Context, seen *call.Call, reason string) bool {
	changed := false
	c, err := s.update(ctx, seen.ID, "expire", func(c *call.Call) error {
		if c.Status != seen.Status {
			return errUnchanged
		}
		changed = true
		if reason == call.ReasonNoAnswer {
			return c.Fail(s.now(), reason)
		}
		return c.End(s.now(), reason)
	})
	if err != nil {
		s.log.ErrorContext(ctx, "could not expire call", "call", seen.ID, "reason", reason, "err", err)
		return false
	}
	if !changed || !c.Status.Terminal() {
		return false
	}
	s.forget(c.ID)
	s.log.InfoContext(ctx, "call expired", "call", c.ID, "status", c.Status.String(), "reason", reason)
	return true
}

// DeleteExpired deletes finished calls created more than retention ago,
// with their turns, in batches, and returns how many it deleted.
func (s *Calls) DeleteExpired(ctx context.Context, retention time.Duration) (int, error) {
	before := s.now().Add(-retention)
	total := 0
	for {
		n, err := s.store.DeleteCallsBefore(ctx, before, retentionBatch)
		total += n
		if err != nil {
			s.log.ErrorContext(ctx, "retention: could not delete old calls", "deleted", total, "err", err)
			return total, fmt.Errorf("retention: %w", err)
		}
		if n < retentionBatch {
			if total > 0 {
				s.log.InfoContext(ctx, "retention: old calls deleted", "count", total, "created_before", before.UTC().Format(time.RFC3339))
			}
			return total, nil
		}
		// Let live calls' writes in between two batches.
		t := time.NewTimer(retentionPause)
		select {
		case <-ctx.Done():
			t.Stop()
			return total, ctx.Err()
		case <-t.C:
		}
	}
}
