package main

import (
	"context"
	"fmt"
	"log/slog"
	"os"
	"os/signal"
	"syscall"
	"time"

	"github.com/parleyhq/parley/runtime/call"
	"github.com/parleyhq/parley/runtime/live"
	"github.com/parleyhq/parley/runtime/service"
)

// stopSignals turns SIGTERM and SIGINT into the two steps of a shutdown:
// the first cancels the returned context (drain: take no new calls, let
// live ones finish), the second closes now (end the calls at once). stop
// releases the signals.
func stopSignals(log func(msg string, args ...any)) (ctx context.Context, now <-chan struct{}, stop func()) {
	ctx, cancel := context.WithCancel(context.Background())
	nowc := make(chan struct{})
	sigs := make(chan os.Signal, 2)
	signal.Notify(sigs, os.Interrupt, syscall.SIGTERM)
	done := make(chan struct{})
	go func() {
		defer func() {
			if r := recover(); r != nil {
				log("signal handler panicked", "panic", r)
			}
		}()
		for n := 0; ; n++ {
			select {
			case <-done:
				return
			case s := <-sigs:
				if n == 0 {
					cancel()
					continue
				}
				log("second signal: stopping now", "signal", s.String())
				close(nowc)
				return
			}
		}
	}()
	return ctx, nowc, func() {
		signal.Stop(sigs)
		close(done)
		cancel()
	}
}

// drainer waits for the live calls of a runtime that was asked to stop.
type drainer struct {
	calls   *service.Calls
	live    *live.Manager
	timeout time.Duration
	now     <-chan struct{} // closed by a second signal
	log     *slog.Logger
	poll    time.Duration
}

// drain refuses new calls (readyz and POST /calls answer 503 from here on)
// and waits until no call is left, the drain timeout passes or a second
// signal arrives.
func (d *drainer) drain() {
	d.calls.Drain()
	left := d.calls.Live()
	if left == 0 {
		return
	}
	d.log.Info("draining: no new calls; live calls may go on", "calls", left, "timeout", d.timeout.String(),
		"hint", "send the signal again to end them now")
	deadline := time.NewTimer(d.timeout)
	defer deadline.Stop()
	tick := time.NewTicker(d.poll)
	defer tick.Stop()
	for {
		select {
		case <-deadline.C:
			d.log.Warn("drain timeout: ending the calls still live", "calls", d.calls.Live(), "reason", call.ReasonShutdown)
			return
		case <-d.now:
			return
		case <-tick.C:
			if d.calls.Live() == 0 {
				d.log.Info("drained: every call has finished")
				return
			}
		}
	}
}

// endAll ends what is left with reason shutdown: first the calls with
// media (the live side frees their peers), then the others.
func (d *drainer) endAll(ctx context.Context) error {
	if err := d.live.Close(ctx); err != nil {
		return fmt.Errorf("live calls did not stop in time: %w", err)
	}
	if _, err := d.calls.EndLive(ctx, call.ReasonShutdown); err != nil {
		return fmt.Errorf("end calls: %w", err)
	}
	return nil
}
