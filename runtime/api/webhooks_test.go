package api

import (
	"context"
	"net/http"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/stretchr/testify/require"

	"github.com/parleyhq/parley/runtime/store"
)

// TestWebhookDeliveries lists deliveries by status and agent, retries a
// failed one, and refuses bad input with the usual envelope.
func TestWebhookDeliveries(t *testing.T) {
	h := newHarness(t)
	r := h.send(t, "POST", "/api/v1/calls", "", `{"callerNumber":"01012345678"}`)
	require.Equal(t, http.StatusCreated, r.Status, "%s", r.Raw)
	callID := r.data("call", "id").(string)

	now := time.Now().UTC()
	failed := &store.Delivery{ID: uuid.NewString(), EventID: uuid.NewString(), Event: "call-ended", CallID: callID, Agent: "default",
		URL: "http://127.0.0.1:9/hook", SecretEnv: "S", Timeout: time.Second, Status: store.DeliveryPending, CreatedAt: now, NextAttemptAt: now}
	pending := *failed
	pending.ID, pending.EventID, pending.Event = uuid.NewString(), uuid.NewString(), "call-started"
	require.NoError(t, h.store.EnqueueDeliveries(context.Background(), failed, &pending))
	failed.Status, failed.Attempts, failed.LastError, failed.NextAttemptAt, failed.FinishedAt = store.DeliveryFailed, 12, "HTTP 500: boom", time.Time{}, now
	require.NoError(t, h.store.SaveDelivery(context.Background(), failed))

	r = h.send(t, "GET", "/api/v1/webhooks/deliveries?status=failed", "", "")
	require.Equal(t, http.StatusOK, r.Status, "%s", r.Raw)
	list := r.data("deliveries").([]any)
	require.Len(t, list, 1)
	d := list[0].(map[string]any)
	require.Equal(t, failed.ID, d["id"])
	require.Equal(t, failed.EventID, d["eventId"])
	require.Equal(t, "call-ended", d["event"])
	require.Equal(t, "HTTP 500: boom", d["lastError"])
	require.Equal(t, 12.0, d["attempts"])
	require.NotContains(t, d, "nextAttemptAt")
	require.Equal(t, 1.0, r.data("pagination", "total"))

	r = h.send(t, "GET", "/api/v1/webhooks/deliveries?agent=default&limit=1&page=2", "", "")
	require.Equal(t, 2.0, r.data("pagination", "total"))
	require.Len(t, r.data("deliveries").([]any), 1)
	r = h.send(t, "GET", "/api/v1/webhooks/deliveries?agent=nobody", "", "")
	require.Empty(t, r.data("deliveries").([]any))

	requireError(t, h.send(t, "GET", "/api/v1/webhooks/deliveries?status=lost", "", ""), http.StatusBadRequest, CodeValidation, "pending, delivered, failed")
	requireError(t, h.send(t, "GET", "/api/v1/webhooks/deliveries?limit=1000", "", ""), http.StatusBadRequest, CodeValidation, "limit")

	r = h.send(t, "POST", "/api/v1/webhooks/deliveries/"+failed.ID+"/retry", "", "")
	require.Equal(t, http.StatusOK, r.Status, "%s", r.Raw)
	require.Equal(t, "pending", r.data("delivery", "status"))
	require.Equal(t, 0.0, r.data("delivery", "attempts"))
	require.NotEmpty(t, r.data("delivery", "nextAttemptAt"))
	requireError(t, h.send(t, "POST", "/api/v1/webhooks/deliveries/"+failed.ID+"/retry", "", ""), http.StatusConflict, CodeConflict, "only a failed delivery")
	requireError(t, h.send(t, "POST", "/api/v1/webhooks/deliveries/"+uuid.NewString()+"/retry", "", ""), http.StatusNotFound, CodeNotFound, "delivery not found")
	requireError(t, h.send(t, "POST", "/api/v1/webhooks/deliveries/nope/retry", "", ""), http.StatusBadRequest, CodeValidation, "not a delivery id")
}
