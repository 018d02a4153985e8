package storetest

import (
	"context"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/parleyhq/parley/runtime/call"
	"github.com/parleyhq/parley/runtime/store"
)

func testCallRoundTrip(t *testing.T, s store.Store) {
	ctx := context.Background()
	kst := time.FixedZone("KST", 9*60*60)
	tests := []struct {
		name string
		c    *call.Call
	}{
		{"new agent call, zero times, no receiver", &call.Call{
			ID: "a", SessionID: "sa", CallerNumber: Phone(t, "010-1234-5678"), Agent: "support",
			Status: call.StatusInitiating, CreatedAt: Base, TokenID: "tok-a",
		}},
		{"agent call with variables of every type", &call.Call{
			ID: "v", SessionID: "sv", CallerNumber: Phone(t, "01012345678"), Agent: "support",
			Status: call.StatusRinging, CreatedAt: Base,
			Variables: map[string]any{"name": "Ada \"{{x}}\" 유니코드", "order": int64(9007199254740993), "amount": 2.5, "whole": int64(3), "vip": true},
		}},
		{"ended person-to-person call, every field", &call.Call{
			ID: "b", SessionID: "sb", CallerNumber: Phone(t, "+14155552671"), ReceiverNumber: Phone(t, "02-123-4567"),
			Status: call.StatusEnded, CreatedAt: Base, ConnectedAt: Base.Add(time.Microsecond),
			EndedAt: Base.Add(time.Hour + 999*time.Microsecond), EndReason: call.ReasonHangup,
		}},
		{"no caller number, whole seconds", &call.Call{
			ID: "c", SessionID: "sc", Agent: "sales", Status: call.StatusFailed,
			CreatedAt: time.Date(2024, 12, 31, 23, 59, 59, 0, time.UTC), EndedAt: time.Date(2025, 1, 1, 0, 0, 0, 0, time.UTC),
			EndReason: "no answer",
		}},
		{"times in another zone come back as the same instant in UTC", &call.Call{
			ID: "d", SessionID: "sd", CallerNumber: Phone(t, "+82 10 9876 5432"), Agent: "support",
			Status: call.StatusInProgress, CreatedAt: Base.In(kst), ConnectedAt: Base.Add(time.Second).In(kst),
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			require.NoError(t, s.CreateCall(ctx, tt.c))
			want := *tt.c
			for _, p := range []*time.Time{&want.CreatedAt, &want.ConnectedAt, &want.EndedAt} {
				if !p.IsZero() {
					*p = p.UTC()
				}
			}

			got, err := s.Call(ctx, tt.c.ID)
			require.NoError(t, err)
			assert.Equal(t, &want, got)

			got, err = s.CallBySession(ctx, tt.c.SessionID)
			require.NoError(t, err)
			assert.Equal(t, &want, got)
		})
	}
}

func testCallNotFound(t *testing.T, s store.Store) {
	ctx := context.Background()
	_, err := s.Call(ctx, "nope")
	require.ErrorIs(t, err, store.ErrNotFound)
	_, err = s.CallBySession(ctx, "nope")
	require.ErrorIs(t, err, store.ErrNotFound)
}

func testCreateCallDuplicate(t *testing.T, s store.Store) {
	ctx := context.Background()
	c := NewCall(t, 1)
	require.NoError(t, s.CreateCall(ctx, c))

	sameID := NewCall(t, 2)
	sameID.ID = c.ID
	sameSession := NewCall(t, 3)
	sameSession.SessionID = c.SessionID
	c2 := NewCall(t, 4)
	c2.TokenID = "token-1"
	require.NoError(t, s.CreateCall(ctx, c2))
	sameToken := NewCall(t, 5)
	sameToken.TokenID = c2.TokenID
	for name, dup := range map[string]*call.Call{"same id": sameID, "same session": sameSession, "same token": sameToken} {
		t.Run(name, func(t *testing.T) {
			require.ErrorIs(t, s.CreateCall(ctx, dup), store.ErrDuplicate)
		})
	}
	got, err := s.Call(ctx, c.ID)
	require.NoError(t, err)
	assert.Equal(t, c, got, "a refused duplicate changed the stored call")
}

func testCreateCallRejectsInvalid(t *testing.T, s store.Store) {
	ctx := context.Background()
	tests := []struct {
		name   string
		mutate func(*call.Call)
	}{
		{"no id", func(c *call.Call) { c.ID = "" }},
		{"no session", func(c *call.Call) { c.SessionID = "" }},
		{"unknown status", func(c *call.Call) { c.Status = call.StatusUnknown }},
		{"out of range status", func(c *call.Call) { c.Status = 42 }},
		{"no creation time", func(c *call.Call) { c.CreatedAt = time.Time{} }},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c := NewCall(t, 1)
			tt.mutate(c)
			require.Error(t, s.CreateCall(ctx, c))
		})
	}
	require.Error(t, s.CreateCall(ctx, nil))
	_, total, err := s.Calls(ctx, store.CallFilter{})
	require.NoError(t, err)
	assert.Zero(t, total)
}

func testCreateCallCancelled(t *testing.T, s store.Store) {
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	c := NewCall(t, 1)
	require.ErrorIs(t, s.CreateCall(ctx, c), context.Canceled)
	_, err := s.Call(context.Background(), c.ID)
	require.ErrorIs(t, err, store.ErrNotFound)
}

func testUpdateCall(t *testing.T, s store.Store) {
	ctx := context.Background()
	c := NewCall(t, 1)
	require.NoError(t, s.CreateCall(ctx, c))

	prev := c.Status
	require.NoError(t, c.Ring())
	require.NoError(t, s.UpdateCall(ctx, c, prev))
	prev = c.Status
	require.NoError(t, c.Connect())
	require.NoError(t, s.UpdateCall(ctx, c, prev))
	prev = c.Status
	require.NoError(t, c.Start(Base.Add(time.Minute)))
	require.NoError(t, s.UpdateCall(ctx, c, prev))
	prev = c.Status
	require.NoError(t, c.End(Base.Add(time.Hour), call.ReasonHangup))
	require.NoError(t, s.UpdateCall(ctx, c, prev))

	got, err := s.Call(ctx, c.ID)
	require.NoError(t, err)
	assert.Equal(t, c, got)

	t.Run("stale status", func(t *testing.T) {
		err := s.UpdateCall(ctx, c, call.StatusInProgress)
		require.ErrorIs(t, err, store.ErrConflict)
		assert.Contains(t, err.Error(), c.ID)
	})
	t.Run("unknown id", func(t *testing.T) {
		other := NewCall(t, 2)
		require.ErrorIs(t, s.UpdateCall(ctx, other, call.StatusInitiating), store.ErrNotFound)
	})
	t.Run("session id of another call", func(t *testing.T) {
		other := NewCall(t, 3)
		require.NoError(t, s.CreateCall(ctx, other))
		other.SessionID = c.SessionID
		require.ErrorIs(t, s.UpdateCall(ctx, other, other.Status), store.ErrDuplicate)
	})
}

func testUpdateCallOptimisticConcurrency(t *testing.T, s store.Store) {
	ctx := context.Background()
	for round := range 20 {
		orig := NewCall(t, round)
		require.NoError(t, s.CreateCall(ctx, orig))

		// Two writers read the same INITIATING call and race to move it on.
		ringing, failed := *orig, *orig
		require.NoError(t, ringing.Ring())
		require.NoError(t, failed.Fail(Base, "cancelled"))

		var (
			wg    sync.WaitGroup
			start = make(chan struct{})
			errs  [2]error
		)
		for i, c := range []*call.Call{&ringing, &failed} {
			wg.Go(func() {
				<-start
				errs[i] = s.UpdateCall(ctx, c, call.StatusInitiating)
			})
		}
		close(start)
		wg.Wait()

		winner := -1
		for i, err := range errs {
			if err == nil {
				require.Equal(t, -1, winner, "round %d: both updates succeeded", round)
				winner = i
				continue
			}
			require.ErrorIs(t, err, store.ErrConflict, "round %d", round)
		}
		require.NotEqual(t, -1, winner, "round %d: neither update succeeded", round)

		got, err := s.Call(ctx, orig.ID)
		require.NoError(t, err)
		assert.Equal(t, []*call.Call{&ringing, &failed}[winner], got, "round %d: stored call is not the winner's", round)
	}
}

func testCallsPagination(t *testing.T, s store.Store) {
	ctx := context.Background()
	const n = 25
	var all []*call.Call // newest first, as Calls returns them
	for i := range n {
		c := NewCall(t, i)
		if i%5 == 4 {
			c.CreatedAt = Base.Add(time.Duration(i-1) * time.Second) // a tie, broken by id
		}
		if i%3 == 0 {
			c.Status = call.StatusEnded
			c.EndedAt = c.CreatedAt.Add(time.Minute)
		}
		if i%2 == 0 {
			c.Agent = "sales"
		}
		require.NoError(t, s.CreateCall(ctx, c))
		all = append([]*call.Call{c}, all...)
	}
	filter := func(keep func(*call.Call) bool) []*call.Call {
		var out []*call.Call
		for _, c := range all {
			if keep(c) {
				out = append(out, c)
			}
		}
		return out
	}
	ended := filter(func(c *call.Call) bool { return c.Status == call.StatusEnded })
	salesLive := filter(func(c *call.Call) bool { return c.Agent == "sales" && c.Status == call.StatusInitiating })

	tests := []struct {
		name      string
		f         store.CallFilter
		want      []*call.Call
		wantTotal int
	}{
		{"first page", store.CallFilter{Limit: 10}, all[:10], n},
		{"middle page", store.CallFilter{Limit: 10, Offset: 10}, all[10:20], n},
		{"last partial page", store.CallFilter{Limit: 10, Offset: 20}, all[20:], n},
		{"past the end", store.CallFilter{Limit: 10, Offset: 100}, []*call.Call{}, n},
		{"default limit", store.CallFilter{}, all[:20], n},
		{"limit clamped to max", store.CallFilter{Limit: store.MaxPageSize + 1}, all, n},
		{"negative limit clamped to 1", store.CallFilter{Limit: -3}, all[:1], n},
		{"negative offset is 0", store.CallFilter{Limit: 2, Offset: -1}, all[:2], n},
		{"status", store.CallFilter{Status: call.StatusEnded, Limit: 3}, ended[:3], len(ended)},
		{"status second page", store.CallFilter{Status: call.StatusEnded, Limit: 3, Offset: 3}, ended[3:6], len(ended)},
		{"agent and status", store.CallFilter{Status: call.StatusInitiating, Agent: "sales"}, salesLive, len(salesLive)},
		{"no match", store.CallFilter{Status: call.StatusRinging}, []*call.Call{}, 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, total, err := s.Calls(ctx, tt.f)
			require.NoError(t, err)
			assert.Equal(t, tt.wantTotal, total)
			assert.Equal(t, ids(tt.want), ids(got))
			assert.Equal(t, tt.want, got)
		})
	}
}

func testFailLiveCalls(t *testing.T, s store.Store) {
	ctx := context.Background()
	// Calls in every status, of this instance ("a"), of another ("b") and
	// from before calls had owners ("").
	type key struct {
		owner  string
		status call.Status
	}
	calls := map[key]*call.Call{}
	i := 0
	for _, owner := range []string{"a", "b", ""} {
		for _, st := range call.Statuses() {
			c := NewCall(t, i)
			i++
			c.Status, c.Owner = st, owner
			switch st {
			case call.StatusInProgress:
				c.ConnectedAt = Base.Add(time.Second)
			case call.StatusEnded, call.StatusFailed:
				c.EndedAt = Base.Add(time.Minute)
				c.EndReason = "earlier " + st.String()
			}
			require.NoError(t, s.CreateCall(ctx, c))
			calls[key{owner, st}] = c
		}
	}

	at := Base.Add(time.Hour)
	n, err := s.FailLiveCalls(ctx, []string{"a", ""}, at, call.ReasonRuntimeRestart)
	require.NoError(t, err)
	assert.Equal(t, 8, n, "the live calls of a and of no owner")

	for k, before := range calls {
		t.Run(k.owner+" "+k.status.String(), func(t *testing.T) {
			got, err := s.Call(ctx, before.ID)
			require.NoError(t, err)
			want := *before
			if k.status.Live() && k.owner != "b" {
				want.Status = call.StatusFailed
				want.EndedAt = at
				want.EndReason = call.ReasonRuntimeRestart
			}
			assert.Equal(t, &want, got)
		})
	}

	n, err = s.FailLiveCalls(ctx, []string{"a", ""}, at, call.ReasonRuntimeRestart)
	require.NoError(t, err)
	assert.Zero(t, n, "second run found live calls")
	n, err = s.FailLiveCalls(ctx, nil, at, call.ReasonRuntimeRestart)
	require.NoError(t, err)
	assert.Zero(t, n, "no owners, no calls")
}

// testOwnerMoves: a call's owner is stored, and moves with an update (the
// instance that takes its media).
func testOwnerMoves(t *testing.T, s store.Store) {
	ctx := context.Background()
	c := NewCall(t, 1)
	c.Owner = "instance-a"
	require.NoError(t, s.CreateCall(ctx, c))
	got, err := s.Call(ctx, c.ID)
	require.NoError(t, err)
	assert.Equal(t, "instance-a", got.Owner)
	c.Owner = "instance-b"
	require.NoError(t, c.Ring())
	require.NoError(t, s.UpdateCall(ctx, c, call.StatusInitiating))
	got, err = s.Call(ctx, c.ID)
	require.NoError(t, err)
	assert.Equal(t, c, got)
}

func testCallsSnapshotWhileWriting(t *testing.T, s store.Store) {
	ctx := context.Background()
	var wg sync.WaitGroup
	wg.Go(func() {
		for i := range 100 {
			if err := s.CreateCall(ctx, NewCall(t, i)); err != nil {
				t.Error(err)
				return
			}
		}
	})
	// Reads run alongside the writer and always see a consistent page.
	for range 50 {
		page, total, err := s.Calls(ctx, store.CallFilter{Limit: store.MaxPageSize})
		require.NoError(t, err)
		require.Len(t, page, min(total, store.MaxPageSize), "total %d", total)
	}
	wg.Wait()
}

// testClosed: a closed store refuses everything, and never claims that a
// call is missing; closing it again is safe.
func testClosed(t *testing.T, s store.Store) {
	require.NoError(t, s.Close())
	require.NoError(t, s.Close())
	assert.Error(t, s.Ping(context.Background()))
	_, err := s.Call(context.Background(), "x")
	assert.Error(t, err)
	assert.NotErrorIs(t, err, store.ErrNotFound, "a closed store must not claim the call is missing")
	assert.Error(t, s.CreateCall(context.Background(), NewCall(t, 1)))
}
