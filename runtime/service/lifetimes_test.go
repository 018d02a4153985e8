package service

import (
	"context"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/parleyhq/parley/runtime/call"
	"github.com/parleyhq/parley/runtime/store"
)

// clock is a settable now.
type clock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *clock) now() time.Time      { c.mu.Lock(); defer c.mu.Unlock(); return c.t }
func (c *clock) add(d time.Duration) { c.mu.Lock(); c.t = c.t.Add(d); c.mu.Unlock() }

func TestRingTimeout(t *testing.T) {
	ctx := context.Background()
	calls, _, _, _ := newCalls(t)
	clk := &clock{t: time.Now()}
	calls.now = clk.now
	var seen []call.Call
	calls.Observe(func(c call.Call) { seen = append(seen, c) })
	l := Lifetimes{RingTimeout: time.Minute, MaxDuration: time.Hour}

	ringing, err := calls.Initiate(ctx, InitiateRequest{CallerNumber: "01012345678"})
	require.NoError(t, err)
	connecting, err := calls.Initiate(ctx, InitiateRequest{CallerNumber: "01012345678"})
	require.NoError(t, err)
	_, err = calls.Connect(ctx, connecting.ID)
	require.NoError(t, err)
	answered, err := calls.Initiate(ctx, InitiateRequest{CallerNumber: "01012345678"})
	require.NoError(t, err)
	_, err = calls.Connect(ctx, answered.ID)
	require.NoError(t, err)
	_, err = calls.Start(ctx, answered.ID)
	require.NoError(t, err)
	p2p, err := calls.Initiate(ctx, InitiateRequest{CallerNumber: "01012345678", ReceiverNumber: "01098765432"})
	require.NoError(t, err)
	_, err = calls.Connect(ctx, p2p.ID)
	require.NoError(t, err)

	clk.add(59 * time.Second)
	require.Zero(t, calls.SweepCalls(ctx, l), "nothing before the ring timeout")
	clk.add(2 * time.Second)
	require.Equal(t, 2, calls.SweepCalls(ctx, l))
	for _, id := range []string{ringing.ID, connecting.ID} {
		c, err := calls.Get(ctx, id)
		require.NoError(t, err)
		require.Equal(t, call.StatusFailed, c.Status)
		require.Equal(t, call.ReasonNoAnswer, c.EndReason)
		_, ok := calls.AgentSpec(id)
		require.False(t, ok, "the spec of an expired call is forgotten")
	}
	for _, id := range []string{answered.ID, p2p.ID} {
		c, err := calls.Get(ctx, id)
		require.NoError(t, err)
		require.True(t, c.Status.Live(), "%s: %s", id, c.Status)
	}
	require.Len(t, seen, 4+2, "observers hear of the expiry (after 4 set-up changes)")
	require.Zero(t, calls.SweepCalls(ctx, l), "a second sweep changes nothing")

	// The backstop ends calls that nothing ended after the max duration.
	clk.add(time.Hour)
	require.Zero(t, calls.SweepCalls(ctx, l), "the conversation gets a grace period to say goodbye")
	clk.add(2 * time.Minute)
	require.Equal(t, 2, calls.SweepCalls(ctx, l))
	for _, id := range []string{answered.ID, p2p.ID} {
		c, err := calls.Get(ctx, id)
		require.NoError(t, err)
		require.Equal(t, call.StatusEnded, c.Status)
		require.Equal(t, call.ReasonMaxDuration, c.EndReason)
	}
}

func TestRetention(t *testing.T) {
	ctx := context.Background()
	calls, _, _, st := newCalls(t)
	clk := &clock{t: time.Now().Add(-40 * 24 * time.Hour)}
	calls.now = clk.now
	// 1200 old finished calls (more than two batches), one with a turn,
	// and one old call still live.
	var first string
	for i := range 1200 {
		c, err := calls.Initiate(ctx, InitiateRequest{CallerNumber: "01012345678"})
		require.NoError(t, err)
		_, err = calls.End(ctx, c.ID, call.ReasonHangup)
		require.NoError(t, err)
		if i == 0 {
			first = c.ID
			require.NoError(t, st.AppendTurns(ctx, c.ID, &store.Turn{Role: store.RoleUser, Text: "hi"}))
		}
	}
	live, err := calls.Initiate(ctx, InitiateRequest{CallerNumber: "01012345678"})
	require.NoError(t, err)
	clk.add(20 * 24 * time.Hour)
	recent, err := calls.Initiate(ctx, InitiateRequest{CallerNumber: "01012345678"})
	require.NoError(t, err)
	_, err = calls.End(ctx, recent.ID, call.ReasonHangup)
	require.NoError(t, err)
	clk.add(20 * 24 * time.Hour)

	n, err := calls.DeleteExpired(ctx, 30*24*time.Hour)
	require.NoError(t, err)
	require.Equal(t, 1200, n)
	_, err = calls.Get(ctx, first)
	require.ErrorIs(t, err, store.ErrNotFound)
	turns, err := st.Turns(ctx, first)
	require.NoError(t, err)
	require.Empty(t, turns)
	for _, id := range []string{live.ID, recent.ID} {
		_, err := calls.Get(ctx, id)
		require.NoError(t, err, "kept: a live call, a recent call")
	}
}
