package service

import (
	"context"
	"errors"
	"sync"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/parleyhq/parley/runtime/agent"
	"github.com/parleyhq/parley/runtime/call"
	"github.com/parleyhq/parley/runtime/store"
)

func newLimitedCalls(t *testing.T, opts ...Option) *Calls {
	t.Helper()
	c, _, _, _ := newCalls(t, opts...)
	return c
}

// initiateAll starts n calls at once and returns those created and the
// errors of the others.
func initiateAll(t *testing.T, calls *Calls, n int, req InitiateRequest) ([]*call.Call, []error) {
	t.Helper()
	var (
		mu      sync.Mutex
		created []*call.Call
		errs    []error
		wg      sync.WaitGroup
	)
	start := make(chan struct{})
	for range n {
		wg.Go(func() {
			<-start
			c, err := calls.Initiate(context.Background(), req)
			mu.Lock()
			defer mu.Unlock()
			if err != nil {
				errs = append(errs, err)
				return
			}
			created = append(created, c)
		})
	}
	close(start)
	wg.Wait()
	return created, errs
}

// TestMaxCallsUnderConcurrency creates many calls at once against a cap:
// exactly the cap is admitted, every other call gets a CapacityError, and
// a call that ends (or fails) frees its place.
func TestMaxCallsUnderConcurrency(t *testing.T) {
	const limit = 7
	var refusedMu sync.Mutex
	refused := map[string]int{}
	calls := newLimitedCalls(t, WithMaxCalls(limit), WithOnRefused(func(reason string) {
		refusedMu.Lock()
		refused[reason]++
		refusedMu.Unlock()
	}))
	created, errs := initiateAll(t, calls, 60, InitiateRequest{CallerNumber: "01012345678"})
	require.Len(t, created, limit)
	require.Len(t, errs, 60-limit)
	refusedMu.Lock()
	require.Equal(t, map[string]int{RefusedMaxCalls: 60 - limit}, refused, "every refusal is counted, with its reason")
	refusedMu.Unlock()
	for _, err := range errs {
		var ce *CapacityError
		require.ErrorAs(t, err, &ce)
		require.ErrorIs(t, err, ErrCapacity)
		require.Positive(t, ce.RetryAfter)
		require.Contains(t, err.Error(), "PARLEY_MAX_CALLS")
	}
	require.Equal(t, limit, calls.Live())

	// A call between two people counts too.
	_, err := calls.Initiate(context.Background(), InitiateRequest{CallerNumber: "01012345678", ReceiverNumber: "01087654321"})
	require.ErrorIs(t, err, ErrCapacity)

	ctx := context.Background()
	_, err = calls.End(ctx, created[0].ID, call.ReasonHangup)
	require.NoError(t, err)
	_, err = calls.Fail(ctx, created[1].ID, "no media")
	require.NoError(t, err)
	require.Equal(t, limit-2, calls.Live())
	// Ending it again is refused and frees nothing more.
	_, err = calls.End(ctx, created[0].ID, call.ReasonHangup)
	require.Error(t, err)

	again, errs := initiateAll(t, calls, 10, InitiateRequest{CallerNumber: "01012345678"})
	require.Len(t, again, 2)
	require.Len(t, errs, 8)
	require.Equal(t, limit, calls.Live())
}

func TestNoCapByDefault(t *testing.T) {
	calls := newLimitedCalls(t)
	created, errs := initiateAll(t, calls, 30, InitiateRequest{CallerNumber: "01012345678"})
	require.Empty(t, errs)
	require.Len(t, created, 30)
	require.Equal(t, 30, calls.Live())
}

// fixedLimits declares a limit for the agent's STT plugin.
type fixedLimits map[string]int

func (l fixedLimits) StreamLimits(*agent.Spec) map[string]int { return l }

// TestStreamLimit refuses agent calls past a plugin's declared stream
// limit, while calls between two people (no plugin) still go through.
func TestStreamLimit(t *testing.T) {
	calls := newLimitedCalls(t, WithStreamLimits(fixedLimits{"/plugins/pocketsphinx": 3}))
	created, errs := initiateAll(t, calls, 20, InitiateRequest{CallerNumber: "01012345678"})
	require.Len(t, created, 3)
	require.Len(t, errs, 17)
	for _, err := range errs {
		require.ErrorIs(t, err, ErrCapacity)
		require.Contains(t, err.Error(), "pocketsphinx serves at most 3 calls")
		var ce *CapacityError
		require.ErrorAs(t, err, &ce)
		require.Equal(t, RefusedStreamLimit, ce.Reason)
	}
	_, err := calls.Initiate(context.Background(), InitiateRequest{CallerNumber: "01012345678", ReceiverNumber: "01087654321"})
	require.NoError(t, err)

	_, err = calls.End(context.Background(), created[2].ID, call.ReasonHangup)
	require.NoError(t, err)
	_, err = calls.Initiate(context.Background(), InitiateRequest{CallerNumber: "01012345678"})
	require.NoError(t, err)
}

func TestDrainRefusesNewCalls(t *testing.T) {
	var reasons []string
	calls := newLimitedCalls(t, WithOnRefused(func(r string) { reasons = append(reasons, r) }))
	live, err := calls.Initiate(context.Background(), InitiateRequest{CallerNumber: "01012345678"})
	require.NoError(t, err)
	require.False(t, calls.Draining())
	calls.Drain()
	require.True(t, calls.Draining())
	_, err = calls.Initiate(context.Background(), InitiateRequest{CallerNumber: "01012345678"})
	require.True(t, errors.Is(err, ErrDraining), "got %v", err)
	require.Equal(t, []string{RefusedDraining}, reasons)
	// The live call goes on.
	_, err = calls.Connect(context.Background(), live.ID)
	require.NoError(t, err)
}

func TestEndLiveEndsWhatIsLeft(t *testing.T) {
	calls := newLimitedCalls(t)
	ctx := context.Background()
	ringing, err := calls.Initiate(ctx, InitiateRequest{CallerNumber: "01012345678"})
	require.NoError(t, err)
	connecting, err := calls.Initiate(ctx, InitiateRequest{CallerNumber: "01012345678"})
	require.NoError(t, err)
	_, err = calls.Connect(ctx, connecting.ID)
	require.NoError(t, err)
	ended, err := calls.Initiate(ctx, InitiateRequest{CallerNumber: "01012345678"})
	require.NoError(t, err)
	_, err = calls.End(ctx, ended.ID, call.ReasonHangup)
	require.NoError(t, err)

	n, err := calls.EndLive(ctx, call.ReasonShutdown)
	require.NoError(t, err)
	require.Equal(t, 2, n)
	require.Zero(t, calls.Live())
	for _, id := range []string{ringing.ID, connecting.ID} {
		c, err := calls.Get(ctx, id)
		require.NoError(t, err)
		require.Equal(t, call.StatusEnded, c.Status)
		require.Equal(t, call.ReasonShutdown, c.EndReason)
	}
	c, err := calls.Get(ctx, ended.ID)
	require.NoError(t, err)
	require.Equal(t, call.ReasonHangup, c.EndReason)
}

// TestDependencyDownRefusesNewCalls: while a dependency is down a new
// call is refused at once with ErrUnavailable, saying what is down, and
// nothing is stored or held; once it is back calls are taken again.
func TestDependencyDownRefusesNewCalls(t *testing.T) {
	var down error
	var reasons []string
	calls := newLimitedCalls(t, WithMaxCalls(1), WithOnRefused(func(r string) { reasons = append(reasons, r) }),
		WithDependencies(func(context.Context) error { return down }))
	down = errors.New("the bus between instances is unreachable: bus: RECONNECTING")
	_, err := calls.Initiate(context.Background(), InitiateRequest{CallerNumber: "01012345678"})
	require.ErrorIs(t, err, ErrUnavailable)
	require.Contains(t, err.Error(), "the bus between instances is unreachable")
	require.Equal(t, []string{RefusedUnavailable}, reasons)
	require.Zero(t, calls.Live(), "a refused call holds no place")
	list, total, err := calls.List(context.Background(), store.CallFilter{Limit: 10})
	require.NoError(t, err)
	require.Zero(t, total, "a refused call is not stored: %v", list)

	down = nil
	_, err = calls.Initiate(context.Background(), InitiateRequest{CallerNumber: "01012345678"})
	require.NoError(t, err)
}
