package service

import (
	"context"
	"errors"
	"io"
	"log/slog"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/parleyhq/parley/runtime/call"
)

// TestInstancesOwnTheirCalls: two instances on one store. Each owns the
// calls it creates; a restart fails only its own; when one stops renewing
// its lease, the other fails its live calls ("instance lost") and leaves
// its own alone; a clean stop drops the lease.
func TestInstancesOwnTheirCalls(t *testing.T) {
	a, reg, _, st := newCalls(t, WithInstance("a"))
	log := slog.New(slog.NewTextHandler(io.Discard, nil))
	b := NewCalls(st, reg, log, WithInstance("b"))
	ctx := context.Background()
	p2p := InitiateRequest{CallerNumber: "01012345678", ReceiverNumber: "01087654321"}
	ofA, err := a.Initiate(ctx, p2p)
	require.NoError(t, err)
	require.Equal(t, "a", ofA.Owner)
	ofB, err := b.Initiate(ctx, p2p)
	require.NoError(t, err)
	require.Equal(t, "b", ofB.Owner)

	// a restarts: only a's calls were cut off.
	n, err := NewCalls(st, reg, log, WithInstance("a")).Recover(ctx)
	require.NoError(t, err)
	require.Equal(t, 1, n)
	got, err := st.Call(ctx, ofB.ID)
	require.NoError(t, err)
	require.Equal(t, call.StatusRinging, got.Status, "b's call is b's")

	// b holds a short lease and dies; a sweeps.
	ofA, err = a.Initiate(ctx, p2p)
	require.NoError(t, err)
	require.NoError(t, st.RenewLease(ctx, "b", time.Now(), time.Now().Add(50*time.Millisecond)))
	runCtx, stop := context.WithCancel(ctx)
	done := make(chan error, 1)
	reported := make(chan []string, 4)
	a.OnLostCalls(func(_ context.Context, ids []string) { reported <- ids })
	go func() { done <- a.RunLease(runCtx, 150*time.Millisecond) }()
	require.Eventually(t, func() bool {
		c, err := st.Call(ctx, ofB.ID)
		return err == nil && c.Status == call.StatusFailed && c.EndReason == call.ReasonInstanceLost
	}, 5*time.Second, 20*time.Millisecond, "b's call was not failed as instance lost")
	select {
	case ids := <-reported:
		require.Equal(t, []string{ofB.ID}, ids, "the failed call is reported (for its webhooks)")
	case <-time.After(5 * time.Second):
		t.Fatal("the lost call was not reported")
	}
	stop()
	require.NoError(t, <-done)
	got, err = st.Call(ctx, ofA.ID)
	require.NoError(t, err)
	require.Equal(t, call.StatusRinging, got.Status, "a's own call goes on")

	// a stops cleanly: its lease goes, so nobody takes it over later.
	require.NoError(t, a.DropLease(ctx))
	lost, _, err := st.FailLostCalls(ctx, time.Now().Add(time.Hour), call.ReasonInstanceLost)
	require.NoError(t, err)
	require.Empty(t, lost)

	require.Error(t, NewCalls(st, reg, log).RunLease(ctx, time.Second), "no instance id")
}

// TestChangedElsewhereFreesAdmission: a call ended by another instance
// frees its place under this instance's cap once this one hears of it.
func TestChangedElsewhereFreesAdmission(t *testing.T) {
	s, _, _, _ := newCalls(t, WithMaxCalls(1), WithInstance("a"))
	ctx := context.Background()
	c, err := s.Initiate(ctx, InitiateRequest{CallerNumber: "01012345678"})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := s.Initiate(ctx, InitiateRequest{CallerNumber: "01012345678"}); !errors.Is(err, ErrCapacity) {
		t.Fatalf("second call at a cap of 1: %v", err)
	}
	live := *c
	s.ChangedElsewhere(live) // not over yet: still held
	if _, err := s.Initiate(ctx, InitiateRequest{CallerNumber: "01012345678"}); !errors.Is(err, ErrCapacity) {
		t.Fatalf("after a live change elsewhere: %v", err)
	}
	ended := *c
	if err := ended.End(time.Now(), call.ReasonHangup); err != nil {
		t.Fatal(err)
	}
	s.ChangedElsewhere(ended)
	if _, err := s.Initiate(ctx, InitiateRequest{CallerNumber: "01012345678"}); err != nil {
		t.Fatalf("after the call ended elsewhere: %v", err)
	}
}
