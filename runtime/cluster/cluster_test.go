package cluster_test

import (
	"context"
	"encoding/json"
	"errors"
	"sync"
	"testing"
	"time"

	"github.com/parleyhq/parley/internal/bustest"
	"github.com/parleyhq/parley/runtime/bus"
	"github.com/parleyhq/parley/runtime/call"
	"github.com/parleyhq/parley/runtime/cluster"
	"github.com/parleyhq/parley/runtime/service"
)

func TestClaim(t *testing.T) {
	srv := bustest.NATS(t)
	ctx := context.Background()
	first := cluster.New(srv.Connect(t, "a"), "web-1.example.com", nil)
	unclaim, err := first.Claim(ctx)
	if err != nil {
		t.Fatal(err)
	}
	second := cluster.New(srv.Connect(t, "b"), "web-1.example.com", nil)
	if _, err := second.Claim(ctx); !errors.Is(err, cluster.ErrDuplicateID) {
		t.Fatalf("a second instance with the same id: %v, want ErrDuplicateID", err)
	}
	if _, err := cluster.New(srv.Connect(t, "c"), "web-2.example.com", nil).Claim(ctx); err != nil {
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

// TestClaimAtOnce: of two instances claiming the same id at the same
// time, never both succeed.
func TestClaimAtOnce(t *testing.T) {
	srv := bustest.NATS(t)
	a := cluster.New(srv.Connect(t, "a"), "web-1.example.com", nil)
	b := cluster.New(srv.Connect(t, "b"), "web-1.example.com", nil)
	for round := range 10 {
		var (
			wg    sync.WaitGroup
			stops [2]func()
			errs  [2]error
		)
		for i, n := range []*cluster.Node{a, b} {
			wg.Go(func() { stops[i], errs[i] = n.Claim(context.Background()) })
		}
		wg.Wait()
		won := 0
		for i, err := range errs {
			switch {
			case err == nil:
				won++
				stops[i]()
			case !errors.Is(err, cluster.ErrDuplicateID):
				t.Fatalf("round %d: %v", round, err)
			}
		}
		if won > 1 {
			t.Fatalf("round %d: both instances claimed the same id", round)
		}
	}
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
	a := cluster.New(srv.Connect(t, "a"), "a", nil)
	b := cluster.New(srv.Connect(t, "b"), "b", nil)
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

// TestPlace: a new call stays here unless another instance has at least
// two more free places; a draining or silent instance gets none; each
// choice counts against the chosen one until its next report.
func TestPlace(t *testing.T) {
	srv := bustest.NATS(t)
	here := cluster.New(srv.Connect(t, "a"), "a", nil)
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	done := make(chan error, 1)
	go func() { done <- here.RunLoad(ctx, func() cluster.Load { return cluster.Load{Live: 0, Max: 6} }) }()
	defer func() { cancel(); <-done }()

	report := func(id string, l cluster.Load) {
		t.Helper()
		b := srv.Connect(t, id)
		l.Instance = id
		data, _ := json.Marshal(l)
		if err := b.Publish("parley.load", data); err != nil {
			t.Fatal(err)
		}
		if err := b.Flush(context.Background()); err != nil {
			t.Fatal(err)
		}
	}
	waitPlace := func(self service.Load, want string) {
		t.Helper()
		deadline := time.Now().Add(5 * time.Second)
		for {
			got := here.Place(self)
			if got == want {
				return
			}
			if time.Now().After(deadline) {
				t.Fatalf("Place(%+v) = %s, want %s", self, got, want)
			}
			time.Sleep(20 * time.Millisecond)
		}
	}
	// Alone: here.
	if got := here.Place(service.Load{Live: 5, Max: 6}); got != "a" {
		t.Fatalf("alone: %s", got)
	}
	report("b", cluster.Load{Live: 1, Max: 6}) // 5 free
	report("c", cluster.Load{Live: 0, Max: 6, Draining: true})
	// Here 4 free: b's 5 is not enough more; here 3 free: it is.
	waitPlace(service.Load{Live: 3, Max: 6}, "b")
	if got := here.Place(service.Load{Live: 2, Max: 6}); got != "a" {
		t.Fatalf("b has 4 free after one placement, here 4: %s, want a", got)
	}
	// A full instance places everything elsewhere, never on a draining one.
	if got := here.Place(service.Load{Live: 6, Max: 6}); got != "b" {
		t.Fatalf("full here: %s, want b", got)
	}
}

// TestCreateElsewhere: the chosen instance creates the call and the one
// that asked reads it back; a refusal there comes back as the same error.
func TestCreateElsewhere(t *testing.T) {
	srv := bustest.NATS(t)
	a := cluster.New(srv.Connect(t, "a"), "a", nil)
	b := cluster.New(srv.Connect(t, "b"), "b", nil)
	stored := map[string]*call.Call{}
	var mu sync.Mutex
	get := func(_ context.Context, id string) (*call.Call, error) {
		mu.Lock()
		defer mu.Unlock()
		c, ok := stored[id]
		if !ok {
			return nil, errors.New("no such call")
		}
		return c, nil
	}
	stop, err := a.Serve(get, func(call.Call) {})
	if err != nil {
		t.Fatal(err)
	}
	defer stop()
	var got service.InitiateRequest
	stopCreate, err := b.ServeCreate(func(ctx context.Context, req service.InitiateRequest) (*call.Call, error) {
		got = req
		if req.CallerNumber == "full" {
			return nil, &service.CapacityError{Reason: service.RefusedMaxCalls, Message: "at its cap", RetryAfter: 5 * time.Second}
		}
		c := &call.Call{ID: "22222222-2222-4222-8222-222222222222", Owner: "b", Agent: req.Agent}
		mu.Lock()
		stored[c.ID] = c
		mu.Unlock()
		return c, nil
	})
	if err != nil {
		t.Fatal(err)
	}
	defer stopCreate()
	c, err := a.Create(context.Background(), "b", service.InitiateRequest{CallerNumber: "01012345678", Agent: "default", Variables: map[string]any{"n": 3}})
	if err != nil || c.Owner != "b" {
		t.Fatalf("created elsewhere: %+v, %v", c, err)
	}
	if got.Agent != "default" || got.Variables["n"] != json.Number("3") {
		t.Fatalf("the creating instance got %+v", got)
	}
	_, err = a.Create(context.Background(), "b", service.InitiateRequest{CallerNumber: "full"})
	var ce *service.CapacityError
	if !errors.As(err, &ce) || ce.Reason != service.RefusedMaxCalls || ce.RetryAfter != 5*time.Second {
		t.Fatalf("a refusal there: %v, want its CapacityError", err)
	}
	if _, err := a.Create(context.Background(), "gone", service.InitiateRequest{CallerNumber: "x"}); !errors.Is(err, bus.ErrUnreachable) {
		t.Fatalf("an instance that is not running: %v", err)
	}
}
