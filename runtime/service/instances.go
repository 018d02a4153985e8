package service

import (
	"context"
	"errors"
	"time"

	"github.com/parleyhq/parley/runtime/call"
)

// RunLease keeps this instance's lease in the store alive until ctx is
// done, renewing it every third of lease, and at each renewal takes over
// the instances whose lease ran out: their live calls are marked FAILED
// with reason "instance lost", once, by whichever survivor gets there
// first. Its goroutine belongs to the caller (cmd runs it in its
// errgroup); a store that fails is logged and tried again at the next
// tick, and a panic in one round is contained. The caller drops the lease
// (DropLease) after a clean stop.
func (s *Calls) RunLease(ctx context.Context, lease time.Duration) error {
	if lease <= 0 || s.instance == "" {
		return errors.New("lease: needs an instance id and a positive lease")
	}
	started := s.now()
	tick := time.NewTicker(lease / 3)
	defer tick.Stop()
	for {
		s.safely("lease", func() { s.renewAndSweep(ctx, started, lease) })
		select {
		case <-ctx.Done():
			return nil
		case <-tick.C:
		}
	}
}

// renewAndSweep renews the lease, then fails the calls of lost instances.
func (s *Calls) renewAndSweep(ctx context.Context, started time.Time, lease time.Duration) {
	now := s.now()
	if err := s.store.RenewLease(ctx, s.instance, started, now.Add(lease)); err != nil {
		if ctx.Err() == nil {
			s.log.ErrorContext(ctx, "lease not renewed", "instance", s.instance, "err", err)
		}
		return
	}
	lost, failed, err := s.store.FailLostCalls(ctx, now, call.ReasonInstanceLost)
	if err != nil && ctx.Err() == nil {
		s.log.ErrorContext(ctx, "calls of lost instances not all failed", "err", err)
	}
	if len(lost) > 0 {
		s.log.WarnContext(ctx, "instances lost: their live calls marked FAILED", "instances", lost, "calls", len(failed), "reason", call.ReasonInstanceLost)
	}
	s.mu.Lock()
	onLost := s.onLost
	s.mu.Unlock()
	if len(failed) > 0 && onLost != nil {
		onLost(ctx, failed)
	}
}

// OnLostCalls registers fn to be given the ids of the calls this instance
// failed because their instance was lost (their call-ended webhooks are
// queued by it), on the lease goroutine.
func (s *Calls) OnLostCalls(fn func(ctx context.Context, ids []string)) {
	s.mu.Lock()
	s.onLost = fn
	s.mu.Unlock()
}

// DropLease deletes this instance's lease after a clean stop, so that no
// survivor waits for it to run out.
func (s *Calls) DropLease(ctx context.Context) error {
	if s.instance == "" {
		return nil
	}
	return s.store.DropLease(ctx, s.instance)
}
