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
}

func newRecorder(c *conversation) *recorder {
	r := &recorder{c: c, in: make(chan record, recordQueue), done: make(chan struct{})}
	go r.run()
	return r
}

// add queues rec; it never blocks. Called from the loop only.
func (r *recorder) add(rec record) {
	select {
	case r.in <- rec:
	default:
		r.c.log.Error("turns not stored: the store is far behind", "turns", len(rec.turns))
		r.c.e.cfg.Metrics.StoreFailed(metrics.OpAppendTurns)
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
	ctx, cancel := context.WithTimeout(context.WithoutCancel(c.ctx), storeTimeout)
	defer cancel()
	if err := c.e.cfg.Store.AppendTurns(ctx, c.callID, rec.turns...); err != nil {
		// The call goes on: its history for the chat model is kept in
		// memory; only the stored record misses these turns. The store
		// counts its failures (store.CountErrors).
		c.log.Error("turns not stored", "turns", len(rec.turns), "err", err)
	}
}
