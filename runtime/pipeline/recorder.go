package pipeline

import (
	"context"
	"time"

	"github.com/parleyhq/parley/runtime/fault"
	"github.com/parleyhq/parley/runtime/metrics"
	"github.com/parleyhq/parley/runtime/store"
)

// Bounds of storing one exchange: how long a turn waits for its sentiment
// score, and for the store.
const (
	sentimentWait = 2 * time.Second
	storeTimeout  = 5 * time.Second
)

// recordQueue bounds the exchanges waiting to be stored. It fills only when
// the store has been stuck for minutes (each exchange waits at most
// sentimentWait + storeTimeout); beyond it exchanges are dropped, logged
// and counted, so the call's audio loop never waits for the disk.
const recordQueue = 32

// record is one exchange to store: the caller's turn (if any) and the
// agent's, in order.
type record struct {
	turns []*store.Turn
	// sentiment delivers the score of turns[0] (the caller's turn); nil
	// when none is coming.
	sentiment <-chan *store.Sentiment
}

// recorder stores a call's turns on a goroutine of its own, in the order
// they were spoken, so that neither a slow sentiment plugin nor a slow or
// full disk holds up the call's audio loop. close waits until everything
// queued is written: the call is freed only after its turns are stored.
type recorder struct {
	c    *conversation
	in   chan record
	done chan struct{}
	// down is when the store started failing this call's writes (zero:
	// it is not); used by run's goroutine only.
	down     time.Time
	retryFor time.Duration // storeRetryFor when the call began
}

// While the store fails, a call's recorder retries its turns, the first
// after storeRetryFirst and then twice as long each time up to
// storeRetryMax, for storeRetryFor from the first failure: the turns of
// a database outage that short are stored when it returns, in order. The
// queue (recordQueue records) bounds what waits; turns still unstored
// after storeRetryFor are dropped and counted (parley_turns_lost_total).
const (
	storeRetryFirst = 250 * time.Millisecond
	storeRetryMax   = 5 * time.Second
)

// storeRetryFor is a variable for the tests only.
var storeRetryFor = time.Minute

func newRecorder(c *conversation) *recorder {
	r := &recorder{c: c, in: make(chan record, recordQueue), done: make(chan struct{}), retryFor: storeRetryFor}
	go r.run()
	return r
}

// add queues rec; it never blocks. Called from the loop only.
func (r *recorder) add(rec record) {
	select {
	case r.in <- rec:
	default:
		r.c.log.Error("turns not stored: the store is far behind", "turns", len(rec.turns))
		r.c.e.cfg.Metrics.TurnsLost(len(rec.turns))
	}
}

// close stores what is queued and stops. Called once, from the loop.
func (r *recorder) close() {
	close(r.in)
	<-r.done
}

func (r *recorder) run() {
	defer close(r.done)
	defer fault.Recover(metrics.ComponentStore, r.c.fault)
	for rec := range r.in {
		r.write(rec)
	}
}

// write waits for the caller turn's sentiment (briefly) and stores rec.
func (r *recorder) write(rec record) {
	c := r.c
	if rec.sentiment != nil {
		t := time.NewTimer(sentimentWait)
		select {
		case rec.turns[0].Sentiment = <-rec.sentiment:
		case <-t.C:
			c.log.Warn("sentiment too slow: the turn is stored without it")
		}
		t.Stop()
	}
	// The call goes on while this waits: its history for the chat model
	// is kept in memory. The store counts each failure
	// (store.CountErrors).
	wait := storeRetryFirst
	for {
		ctx, cancel := context.WithTimeout(context.WithoutCancel(c.ctx), storeTimeout)
		err := c.e.cfg.Store.AppendTurns(ctx, c.callID, rec.turns...)
		cancel()
		if err == nil {
			if !r.down.IsZero() {
				c.log.Info("turns stored again after the store failed", "for", time.Since(r.down).Round(time.Millisecond))
				r.down = time.Time{}
			}
			return
		}
		if r.down.IsZero() {
			r.down = time.Now()
		}
		if time.Since(r.down) >= r.retryFor {
			c.log.Error("turns not stored: the store has failed for too long", "turns", len(rec.turns), "since", r.down, "err", err)
			c.e.cfg.Metrics.TurnsLost(len(rec.turns))
			return
		}
		c.log.Warn("turns not stored yet; retrying", "turns", len(rec.turns), "in", wait, "err", err)
		time.Sleep(wait)
		wait = min(2*wait, storeRetryMax)
	}
}
