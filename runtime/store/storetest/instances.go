package storetest

import (
	"context"
	"fmt"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/parleyhq/parley/runtime/call"
	"github.com/parleyhq/parley/runtime/store"
)

// ownedCalls creates n live calls of owner, ids from first on, and one
// ended one.
func ownedCalls(t *testing.T, s store.Store, owner string, first, n int) []*call.Call {
	t.Helper()
	var out []*call.Call
	for i := range n + 1 {
		c := NewCall(t, first+i)
		c.Owner = owner
		if i == n {
			c.Status, c.EndedAt, c.EndReason = call.StatusEnded, Base.Add(time.Minute), call.ReasonHangup
		} else if i%2 == 1 {
			c.Status, c.ConnectedAt = call.StatusInProgress, Base.Add(time.Second)
		}
		require.NoError(t, s.CreateCall(context.Background(), c))
		out = append(out, c)
	}
	return out
}

// testLeases: an instance whose lease ran out is taken over once; its live
// calls fail with the reason, nobody else's do; a lease renewed in time
// keeps its instance.
func testLeases(t *testing.T, s store.Store) {
	ctx := context.Background()
	a := ownedCalls(t, s, "a", 0, 3)
	b := ownedCalls(t, s, "b", 10, 3)
	require.NoError(t, s.RenewLease(ctx, "a", Base, Base.Add(10*time.Second)))
	require.NoError(t, s.RenewLease(ctx, "b", Base, Base.Add(5*time.Second)))

	lost, n, err := s.FailLostCalls(ctx, Base.Add(4*time.Second), "instance lost")
	require.NoError(t, err)
	assert.Empty(t, lost, "no lease has run out yet")
	assert.Empty(t, n)

	// a renews; b does not.
	require.NoError(t, s.RenewLease(ctx, "a", Base.Add(time.Hour), Base.Add(20*time.Second)))
	at := Base.Add(15 * time.Second)
	lost, n, err = s.FailLostCalls(ctx, at, "instance lost")
	require.NoError(t, err)
	assert.Equal(t, []string{"b"}, lost)
	var wantFailed []string
	for _, c := range b {
		if c.Status.Live() {
			wantFailed = append(wantFailed, c.ID)
		}
	}
	assert.ElementsMatch(t, wantFailed, n, "b's live calls, by id")
	for _, c := range b {
		got, err := s.Call(ctx, c.ID)
		require.NoError(t, err)
		want := *c
		if c.Status.Live() {
			want.Status, want.EndedAt, want.EndReason = call.StatusFailed, at, "instance lost"
		}
		assert.Equal(t, &want, got)
	}
	for _, c := range a {
		got, err := s.Call(ctx, c.ID)
		require.NoError(t, err)
		assert.Equal(t, c, got, "a's calls are a's")
	}
	lost, n, err = s.FailLostCalls(ctx, at, "instance lost")
	require.NoError(t, err)
	assert.Empty(t, lost, "b was taken over once")
	assert.Empty(t, n)

	// An instance that comes back renews a new lease; one that stops
	// cleanly drops its own.
	require.NoError(t, s.RenewLease(ctx, "b", at, at.Add(time.Minute)))
	require.NoError(t, s.DropLease(ctx, "a"))
	lost, _, err = s.FailLostCalls(ctx, at.Add(30*time.Second), "instance lost")
	require.NoError(t, err)
	assert.Empty(t, lost, "a dropped its lease: nothing to take over")
}

// testConcurrentSweeps: survivors on two handles sweeping at once fail
// every call of the lost instances once, and each lost instance is
// reported by one of them.
func testConcurrentSweeps(t *testing.T, a, b store.Store) {
	ctx := context.Background()
	var want []string
	for i := range 6 {
		id := fmt.Sprintf("lost-%d", i)
		for _, c := range ownedCalls(t, a, id, i*10, 4) {
			if c.Status.Live() {
				want = append(want, c.ID)
			}
		}
		require.NoError(t, a.RenewLease(ctx, id, Base, Base.Add(time.Second)))
	}
	var (
		wg     sync.WaitGroup
		mu     sync.Mutex
		lost   []string
		failed []string
	)
	for _, s := range []store.Store{a, b, a, b} {
		wg.Go(func() {
			l, n, err := s.FailLostCalls(ctx, Base.Add(time.Minute), "instance lost")
			if err != nil {
				t.Error(err)
				return
			}
			mu.Lock()
			lost, failed = append(lost, l...), append(failed, n...)
			mu.Unlock()
		})
	}
	wg.Wait()
	slices.Sort(lost)
	assert.Equal(t, []string{"lost-0", "lost-1", "lost-2", "lost-3", "lost-4", "lost-5"}, lost)
	assert.ElementsMatch(t, want, failed, "each call failed once, reported once")
	page, _, err := a.Calls(ctx, store.CallFilter{Status: call.StatusFailed, Limit: store.MaxPageSize})
	require.NoError(t, err)
	assert.Len(t, page, len(want))
}
