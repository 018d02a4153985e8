package cluster_test

import (
	"context"
	"errors"
	"sync"
	"testing"
	"time"

	"github.com/parleyhq/parley/internal/bustest"
	"github.com/parleyhq/parley/runtime/bus"
	"github.com/parleyhq/parley/runtime/call"
	"github.com/parleyhq/parley/runtime/cluster"
)

func connect(t *testing.T, url, name string) *bus.Bus {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	b, err := bus.Connect(ctx, url, name, nil)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = b.Close() })
	return b
}

func TestClaim(t *testing.T) {
	srv := bustest.NATS(t)
	ctx := context.Background()
	first := cluster.New(connect(t, srv.URL, "a"), "web-1.example.com", nil)
	unclaim, err := first.Claim(ctx)
	if err != nil {
		t.Fatal(err)
	}
	second := cluster.New(connect(t, srv.URL, "b"), "web-1.example.com", nil)
	if _, err := second.Claim(ctx); !errors.Is(err, cluster.ErrDuplicateID) {
		t.Fatalf("a second instance with the same id: %v, want ErrDuplicateID", err)
	}
	if _, err := cluster.New(connect(t, srv.URL, "c"), "web-2.example.com", nil).Claim(ctx); err != nil {
		t.Fatalf("another id: %v", err)
	}
	// Once the first is gone, its id is free again (a restart).
	unclaim()
	stop, err := second.Claim(ctx)
	if err != nil {
		t.Fatalf("after the first stopped: %v", err)
	}
	stop()
}

// recorder is a live side that records the calls it is given.
type recorder struct {
	mu  sync.Mutex
	got []call.Call
}

func (r *recorder) changed(c call.Call) {
	r.mu.Lock()
	r.got = append(r.got, c)
	r.mu.Unlock()
}

func (r *recorder) calls() []call.Call {
	r.mu.Lock()
	defer r.mu.Unlock()
	return append([]call.Call(nil), r.got...)
}

// TestForward: a change of a call another instance holds reaches that
// instance's live side, as the call is stored (read again), and Forward
// returns once it has; a change of a call held here, or by nobody, stays
// here.
func TestForward(t *testing.T) {
	srv := bustest.NATS(t)
	a := cluster.New(connect(t, srv.URL, "a"), "a", nil)
	b := cluster.New(connect(t, srv.URL, "b"), "b", nil)
	stored := call.Call{ID: "11111111-1111-4111-8111-111111111111", Owner: "a", Status: call.StatusEnded, EndReason: call.ReasonHangup}
	var liveA, liveB recorder
	stop, err := a.Serve(func(_ context.Context, id string) (*call.Call, error) {
		if id != stored.ID {
			return nil, errors.New("no such call")
		}
		c := stored
		return &c, nil
	}, liveA.changed)
	if err != nil {
		t.Fatal(err)
	}
	defer stop()

	// B ends A's call: the message says only which call; A reads it.
	b.Forward(liveB.changed)(call.Call{ID: stored.ID, Owner: "a", Status: call.StatusInProgress})
	if got := liveA.calls(); len(got) != 1 || got[0].Status != call.StatusEnded || got[0].EndReason != call.ReasonHangup {
		t.Fatalf("A's live side got %+v, want the stored ENDED call", got)
	}
	if got := liveB.calls(); len(got) != 0 {
		t.Fatalf("B's live side got %+v for A's call", got)
	}
	// B's own calls, and calls without an owner, stay on B.
	b.Forward(liveB.changed)(call.Call{ID: "x", Owner: "b"})
	b.Forward(liveB.changed)(call.Call{ID: "y"})
	if got := liveB.calls(); len(got) != 2 {
		t.Fatalf("B's live side got %d of its own changes, want 2", len(got))
	}
	// An owner that is not running: the change is dropped (logged), at
	// once, not after the timeout.
	start := time.Now()
	b.Forward(liveB.changed)(call.Call{ID: stored.ID, Owner: "gone"})
	if d := time.Since(start); d > 2*time.Second {
		t.Fatalf("a change for a stopped owner took %v", d)
	}
}
