package storetest

import (
	"context"
	"errors"
	"fmt"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/parleyhq/parley/runtime/call"
	"github.com/parleyhq/parley/runtime/store"
)

func newDelivery(callID string, i int, created time.Time) *store.Delivery {
	return &store.Delivery{
		ID: fmt.Sprintf("d-%02d", i), EventID: fmt.Sprintf("e-%02d", i), Event: "call-ended", CallID: callID, Agent: "support",
		URL: "http://127.0.0.1:1/hook", SecretEnv: "HOOK_SECRET", Timeout: 10 * time.Second,
		Status: store.DeliveryPending, CreatedAt: created, NextAttemptAt: created,
	}
}

// testDeliveryQueue walks deliveries through the queue: enqueued, claimed
// once under a lease, saved, listed, retried and deleted with their call.
func testDeliveryQueue(t *testing.T, s store.Store) {
	ctx := context.Background()
	c := NewCall(t, 1)
	require.NoError(t, s.CreateCall(ctx, c))

	err := s.EnqueueDeliveries(ctx, newDelivery("no-such-call", 9, Base))
	require.True(t, errors.Is(err, store.ErrNotFound), "%v", err)
	d1, d2 := newDelivery(c.ID, 1, Base), newDelivery(c.ID, 2, Base.Add(time.Second))
	d2.Payload = []byte(`{"event":"call-started"}`)
	require.NoError(t, s.EnqueueDeliveries(ctx, d1, d2))
	require.True(t, errors.Is(s.EnqueueDeliveries(ctx, d1), store.ErrDuplicate))

	// Only due rows are claimed, and a claimed row is not claimed again
	// until its lease runs out.
	got, err := s.ClaimDeliveries(ctx, Base, time.Minute, 10)
	require.NoError(t, err)
	require.Len(t, got, 1)
	require.Equal(t, "d-01", got[0].ID)
	require.Nil(t, got[0].Payload)
	got, err = s.ClaimDeliveries(ctx, Base.Add(2*time.Second), time.Minute, 10)
	require.NoError(t, err)
	require.Len(t, got, 1)
	require.Equal(t, "d-02", got[0].ID)
	require.Equal(t, `{"event":"call-started"}`, string(got[0].Payload))
	got, err = s.ClaimDeliveries(ctx, Base.Add(time.Minute+2*time.Second), time.Minute, 10)
	require.NoError(t, err)
	require.Len(t, got, 2, "leases ran out")

	d1 = got[0]
	d1.Payload, d1.Attempts, d1.Status, d1.LastError = []byte(`{"x":1}`), 3, store.DeliveryFailed, "HTTP 500"
	d1.NextAttemptAt, d1.FinishedAt = time.Time{}, Base.Add(time.Hour)
	require.NoError(t, s.SaveDelivery(ctx, d1))

	page, total, err := s.Deliveries(ctx, store.DeliveryFilter{Status: store.DeliveryFailed})
	require.NoError(t, err)
	require.Equal(t, 1, total)
	require.Equal(t, "HTTP 500", page[0].LastError)
	require.Equal(t, 3, page[0].Attempts)
	require.Equal(t, `{"x":1}`, string(page[0].Payload))
	require.True(t, page[0].FinishedAt.Equal(Base.Add(time.Hour)))
	_, total, err = s.Deliveries(ctx, store.DeliveryFilter{Agent: "other"})
	require.NoError(t, err)
	require.Zero(t, total)

	_, err = s.RetryDelivery(ctx, "d-02", Base)
	require.True(t, errors.Is(err, store.ErrConflict), "a pending delivery cannot be retried: %v", err)
	_, err = s.RetryDelivery(ctx, "nope", Base)
	require.True(t, errors.Is(err, store.ErrNotFound))
	r, err := s.RetryDelivery(ctx, "d-01", Base.Add(2*time.Hour))
	require.NoError(t, err)
	require.Equal(t, store.DeliveryPending, r.Status)
	require.Zero(t, r.Attempts)
	got, err = s.ClaimDeliveries(ctx, Base.Add(2*time.Hour), time.Minute, 1)
	require.NoError(t, err)
	require.Len(t, got, 1)

	// Finished rows go after the webhook retention; all go with the call.
	got[0].Status, got[0].FinishedAt, got[0].NextAttemptAt = store.DeliveryDelivered, Base, time.Time{}
	require.NoError(t, s.SaveDelivery(ctx, got[0]))
	n, err := s.DeleteDeliveriesBefore(ctx, Base.Add(time.Hour), 10)
	require.NoError(t, err)
	require.Equal(t, 1, n)
	_, total, err = s.Deliveries(ctx, store.DeliveryFilter{})
	require.NoError(t, err)
	require.Equal(t, 1, total)
	c.Status, c.EndedAt = call.StatusEnded, Base.Add(time.Minute)
	require.NoError(t, s.UpdateCall(ctx, c, call.StatusInitiating))
	_, err = s.DeleteCallsBefore(ctx, Base.Add(time.Hour), 10)
	require.NoError(t, err)
	_, total, err = s.Deliveries(ctx, store.DeliveryFilter{})
	require.NoError(t, err)
	require.Zero(t, total, "deliveries go with their call")
	require.True(t, errors.Is(s.SaveDelivery(ctx, d1), store.ErrNotFound))
}
