package webhook

import (
	"context"
	"net"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/parleyhq/parley/runtime/agent"
	"github.com/parleyhq/parley/runtime/call"
	"github.com/parleyhq/parley/runtime/metrics"
	"github.com/parleyhq/parley/runtime/store"
)

// scrape sums the samples of the exposition text whose line starts with
// prefix and contains part.
func scrape(text, prefix, part string) float64 {
	var sum float64
	for _, line := range strings.Split(text, "\n") {
		if strings.HasPrefix(line, prefix) && strings.Contains(line, part) {
			f := strings.Fields(line)
			v, _ := strconv.ParseFloat(f[len(f)-1], 64)
			sum += v
		}
	}
	return sum
}

const wait = 10 * time.Second

// TestCallStartedSigned: call-started reaches a real receiver, signed, with
// the call in it, and the row is marked delivered.
func TestCallStartedSigned(t *testing.T) {
	r := newReceiver(t)
	f := newFixture(t, r.srv.URL+"/hook", 5*time.Second, agent.EventCallStarted, agent.EventCallEnded)
	m := metrics.New()
	w := f.run(t, Config{Metrics: m})
	h := NewHooks(f.st, specs{f.c.ID: f.spec}, w.Wake, nil)

	h.CallChanged(f.advance(t, call.StatusConnecting)) // no event
	h.CallChanged(f.advance(t, call.StatusInProgress))
	require.Eventually(t, func() bool { return len(deliveries(t, f.st, store.DeliveryDelivered)) == 1 }, wait, 10*time.Millisecond)
	got := r.requests()
	require.Len(t, got, 1)
	p := got[0].Payload
	require.Equal(t, "call-started", got[0].Event)
	require.Equal(t, got[0].EventID, p.ID)
	require.Equal(t, "1", got[0].Attempt)
	require.Equal(t, "call-started", p.Event)
	require.Equal(t, "shop", p.Agent)
	require.Equal(t, f.c.ID, p.Call.ID)
	require.Equal(t, "IN_PROGRESS", p.Call.Status)
	require.Equal(t, f.c.CallerNumber.String(), p.Call.CallerNumber)
	require.NotNil(t, p.Call.ConnectedAt)
	require.Equal(t, 1.0, counter(t, m, metrics.WebhookDelivered))
}

// TestRetryAfterServerErrors: two 500s, then 200: three attempts with the
// same event id and body, delivered in the end, counted as retried twice.
func TestRetryAfterServerErrors(t *testing.T) {
	r := newReceiver(t, 500, 503)
	f := newFixture(t, r.srv.URL, 5*time.Second, agent.EventToolCalled)
	m := metrics.New()
	w := f.run(t, Config{Metrics: m, MaxAttempts: 5})
	h := NewHooks(f.st, specs{}, w.Wake, nil)

	tc := store.ToolCall{ID: "call_1", Name: "lookup_order", Arguments: `{"order":"1234"}`, Result: `{"status":"shipped"}`, StartedAt: time.Now(), Duration: 42 * time.Millisecond}
	require.NoError(t, h.ToolCalled(context.Background(), f.c, f.spec, tc))
	require.Eventually(t, func() bool { return len(deliveries(t, f.st, store.DeliveryDelivered)) == 1 }, wait, 10*time.Millisecond)
	got := r.requests()
	require.Len(t, got, 3)
	for i, g := range got {
		require.Equal(t, got[0].EventID, g.EventID)
		require.Equal(t, string(got[0].Body), string(g.Body), "attempt %d sent another body", i+1)
		require.Equal(t, strconv.Itoa(i+1), g.Attempt)
	}
	p := got[0].Payload
	require.Equal(t, "tool-called", p.Event)
	require.NotNil(t, p.ToolCall)
	require.Equal(t, "lookup_order", p.ToolCall.Name)
	require.Equal(t, `{"status":"shipped"}`, p.ToolCall.Result)
	require.Equal(t, 42.0, *p.ToolCall.DurationMs)
	d := deliveries(t, f.st, store.DeliveryDelivered)[0]
	require.Equal(t, 3, d.Attempts)
	require.Empty(t, d.LastError)
	require.Equal(t, 2.0, counter(t, m, metrics.WebhookRetried))
	require.Equal(t, 1.0, counter(t, m, metrics.WebhookDelivered))
}

// TestTimeoutFails: an endpoint slower than the timeout fails each attempt;
// after MaxAttempts the delivery is failed, with the reason, in the queue
// and in the metrics.
func TestTimeoutFails(t *testing.T) {
	r := newReceiver(t)
	r.hold = 5 * time.Second
	f := newFixture(t, r.srv.URL, 150*time.Millisecond, agent.EventCallStarted)
	m := metrics.New()
	w := f.run(t, Config{Metrics: m, MaxAttempts: 2})
	h := NewHooks(f.st, specs{f.c.ID: f.spec}, w.Wake, nil)

	f.advance(t, call.StatusConnecting)
	start := time.Now()
	h.CallChanged(f.advance(t, call.StatusInProgress))
	require.Less(t, time.Since(start), time.Second, "queueing waited for the endpoint")
	require.Eventually(t, func() bool { return len(deliveries(t, f.st, store.DeliveryFailed)) == 1 }, wait, 10*time.Millisecond)
	d := deliveries(t, f.st, store.DeliveryFailed)[0]
	require.Equal(t, 2, d.Attempts)
	require.Contains(t, d.LastError, "no answer within 150ms")
	require.True(t, d.NextAttemptAt.IsZero())
	require.Len(t, r.requests(), 2)
	require.Equal(t, 1.0, counter(t, m, metrics.WebhookRetried))
	require.Equal(t, 1.0, counter(t, m, metrics.WebhookFailed))
}

// TestCallEndedReport: call-ended waits for the call's conversation to
// store its last turns, and reports the transcript, timings, tool calls,
// the sentiment summary and the duration.
func TestCallEndedReport(t *testing.T) {
	r := newReceiver(t)
	f := newFixture(t, r.srv.URL, 5*time.Second, agent.EventCallEnded)
	settle := NewSettle()
	w := f.run(t, Config{Settle: settle})
	h := NewHooks(f.st, specs{f.c.ID: f.spec}, w.Wake, nil)
	ctx := context.Background()

	f.advance(t, call.StatusConnecting)
	f.advance(t, call.StatusInProgress)
	done := settle.Begin(f.c.ID)
	t0 := time.Now()
	require.NoError(t, f.st.AppendTurns(ctx, f.c.ID,
		&store.Turn{Role: store.RoleAssistant, Text: "Hello, how can I help?", StartedAt: t0, EndedAt: t0.Add(time.Second)},
		&store.Turn{Role: store.RoleUser, Text: "Where is order 1234?", Sentiment: &store.Sentiment{Label: "neutral", Score: 0.5},
			Timings: store.Timings{STTFinalDelay: 120 * time.Millisecond}}))
	h.CallChanged(f.advance(t, call.StatusEnded))

	// The worker has claimed the report (its lease pushed the next attempt
	// out) while the conversation still stores its last exchange: nothing
	// is sent yet.
	require.Eventually(t, func() bool {
		ds := deliveries(t, f.st, store.DeliveryPending)
		return len(ds) == 1 && ds[0].NextAttemptAt.After(time.Now().Add(time.Minute))
	}, wait, 10*time.Millisecond)
	require.Empty(t, r.requests())
	require.NoError(t, f.st.AppendTurns(ctx, f.c.ID,
		&store.Turn{Role: store.RoleUser, Text: "It is late, this is bad", Sentiment: &store.Sentiment{Label: "negative", Score: 0.1}},
		&store.Turn{Role: store.RoleAssistant, Text: "It ships today.", Interrupted: true,
			ToolCalls: []store.ToolCall{{ID: "c1", Name: "lookup_order", Arguments: `{"order":"1234"}`, Error: "timed out", Duration: time.Second}}}))
	done()

	require.Eventually(t, func() bool { return len(r.requests()) == 1 }, wait, 10*time.Millisecond)
	p := r.requests()[0].Payload
	require.Equal(t, "call-ended", p.Event)
	require.Equal(t, "ENDED", p.Call.Status)
	require.Equal(t, call.ReasonHangup, p.Call.EndReason)
	require.NotNil(t, p.Call.EndedAt)
	require.NotNil(t, p.Transcript)
	transcript := *p.Transcript
	require.Len(t, transcript, 4)
	require.Equal(t, "It ships today.", transcript[3].Text)
	require.True(t, transcript[3].Interrupted)
	require.Equal(t, 120.0, *transcript[1].Timings.STTFinalMs)
	require.NotNil(t, p.ToolCalls)
	tools := *p.ToolCalls
	require.Len(t, tools, 1)
	require.Equal(t, 4, tools[0].TurnSeq)
	require.Equal(t, "timed out", tools[0].Error)
	require.Equal(t, map[string]int{"neutral": 1, "negative": 1}, p.Sentiment.Counts)
	require.InDelta(t, 0.3, *p.Sentiment.MeanScore, 1e-9)
	require.NotNil(t, p.DurationSeconds)
	require.Greater(t, *p.DurationSeconds, 0.0)
}

// TestRestartLosesNothing: a delivery queued while its endpoint is down
// and its worker stopped is sent exactly once by the next worker.
func TestRestartLosesNothing(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	addr := ln.Addr().String()
	require.NoError(t, ln.Close()) // the endpoint is down
	f := newFixture(t, "http://"+addr+"/hook", time.Second, agent.EventCallStarted)

	ctx, cancel := context.WithCancel(context.Background())
	w1 := NewWorker(f.st, Config{Lookup: lookup, BaseDelay: 200 * time.Millisecond, Poll: 10 * time.Millisecond}, nil)
	done := make(chan struct{})
	go func() { defer close(done); _ = w1.Run(ctx) }()
	h := NewHooks(f.st, specs{f.c.ID: f.spec}, w1.Wake, nil)
	f.advance(t, call.StatusConnecting)
	h.CallChanged(f.advance(t, call.StatusInProgress))
	require.Eventually(t, func() bool {
		ds := deliveries(t, f.st, store.DeliveryPending)
		return len(ds) == 1 && ds[0].Attempts >= 1
	}, wait, 10*time.Millisecond)
	require.Contains(t, deliveries(t, f.st, store.DeliveryPending)[0].LastError, "request failed")
	cancel()
	<-done

	r := newReceiver(t)
	r.srv.Close()
	ln, err = net.Listen("tcp", addr)
	require.NoError(t, err)
	r.srv = httptestServerOn(ln, r)
	t.Cleanup(r.srv.Close)
	f.run(t, Config{})
	require.Eventually(t, func() bool { return len(deliveries(t, f.st, store.DeliveryDelivered)) == 1 }, wait, 10*time.Millisecond)
	require.Len(t, r.requests(), 1)
}

// TestRetentionSweep: the worker deletes finished rows older than its
// retention at start, and keeps newer ones and pending ones.
func TestRetentionSweep(t *testing.T) {
	f := newFixture(t, "http://127.0.0.1:9/hook", time.Second, agent.EventCallStarted)
	ctx := context.Background()
	old := time.Now().Add(-48 * time.Hour)
	mk := func(id string, at time.Time, st store.DeliveryStatus) *store.Delivery {
		return &store.Delivery{ID: id, EventID: id, Event: "call-started", CallID: f.c.ID, Agent: "shop", URL: "http://127.0.0.1:9/hook",
			SecretEnv: "HOOK_SECRET", Timeout: time.Second, Payload: []byte(`{}`), Status: st, CreatedAt: at, NextAttemptAt: at.Add(time.Hour * 1000)}
	}
	require.NoError(t, f.st.EnqueueDeliveries(ctx, mk("old-done", old, store.DeliveryDelivered), mk("old-pending", old, store.DeliveryPending),
		mk("new-done", time.Now(), store.DeliveryFailed)))
	f.run(t, Config{Retention: 24 * time.Hour})
	require.Eventually(t, func() bool { return len(deliveries(t, f.st, store.DeliveryDelivered)) == 0 }, wait, 10*time.Millisecond)
	require.Len(t, deliveries(t, f.st, store.DeliveryPending), 1)
	require.Len(t, deliveries(t, f.st, store.DeliveryFailed), 1)
}
