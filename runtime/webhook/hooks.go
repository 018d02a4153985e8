package webhook

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"time"

	"github.com/google/uuid"

	"github.com/parleyhq/parley/runtime/agent"
	"github.com/parleyhq/parley/runtime/call"
	"github.com/parleyhq/parley/runtime/store"
)

// enqueueTimeout bounds writing an event's rows.
const enqueueTimeout = 5 * time.Second

// Specs gives the agent spec a live call started with; *service.Calls
// implements it.
type Specs interface {
	AgentSpec(callID string) (*agent.Spec, bool)
}

// Hooks turns what happens to calls into queued deliveries. It is safe for
// concurrent use.
type Hooks struct {
	st    store.Webhooks
	specs Specs
	wake  func()
	now   func() time.Time
	log   *slog.Logger
}

// NewHooks returns Hooks that queue deliveries in st, reading each call's
// webhooks from specs, and call wake (may be nil; it must not block) after
// queueing, so that the Worker sends at once.
func NewHooks(st store.Webhooks, specs Specs, wake func(), log *slog.Logger) *Hooks {
	if wake == nil {
		wake = func() {}
	}
	if log == nil {
		log = slog.Default()
	}
	return &Hooks{st: st, specs: specs, wake: wake, now: time.Now, log: log}
}

// CallChanged queues call-started when an agent call reaches IN_PROGRESS
// and call-ended when it is ENDED or FAILED (connected or not). Pass it to
// service.Calls.Observe: it writes the rows before it returns (a store
// write, bounded by a timeout) and never waits for an endpoint.
func (h *Hooks) CallChanged(c call.Call) {
	if c.Agent == "" || c.PersonToPerson() {
		return
	}
	var ev agent.WebhookEvent
	switch {
	case c.Status == call.StatusInProgress:
		ev = agent.EventCallStarted
	case c.Status.Terminal():
		ev = agent.EventCallEnded
	default:
		return
	}
	spec, ok := h.specs.AgentSpec(c.ID)
	if !ok {
		return
	}
	ctx, cancel := context.WithTimeout(context.Background(), enqueueTimeout)
	defer cancel()
	if err := h.enqueue(ctx, &c, spec, ev, nil); err != nil {
		h.log.Error("webhook event not queued", "call", c.ID, "event", ev, "err", err)
	}
}

// ToolCalled queues tool-called for each webhook of spec that wants it,
// reporting tc, a tool c's agent called. It returns once the rows are
// written (never waiting for an endpoint); the turn engine calls it after
// each tool call.
func (h *Hooks) ToolCalled(ctx context.Context, c *call.Call, spec *agent.Spec, tc store.ToolCall) error {
	if err := h.enqueue(ctx, c, spec, agent.EventToolCalled, &tc); err != nil {
		return fmt.Errorf("webhook tool-called: %w", err)
	}
	return nil
}

// enqueue writes one row per webhook of spec that wants ev, all with one
// event id. The payload of call-ended is left to the Worker, which builds it
// once the call's last turns are stored.
func (h *Hooks) enqueue(ctx context.Context, c *call.Call, spec *agent.Spec, ev agent.WebhookEvent, tc *store.ToolCall) error {
	if spec == nil {
		return nil
	}
	hooks := spec.WebhooksFor(ev)
	if len(hooks) == 0 {
		return nil
	}
	now := h.now().UTC()
	eventID := uuid.NewString()
	var payload []byte
	if ev != agent.EventCallEnded {
		e := header(eventID, string(ev), now, c)
		if tc != nil {
			t := toolCall(0, *tc)
			e.ToolCall = &t
		}
		var err error
		if payload, err = encode(e); err != nil {
			return fmt.Errorf("encode %s: %w", ev, err)
		}
	}
	ds := make([]*store.Delivery, len(hooks))
	for i, w := range hooks {
		timeout := w.Timeout.Std()
		if timeout <= 0 {
			timeout = agent.DefaultWebhookTimeout
		}
		ds[i] = &store.Delivery{
			ID: uuid.NewString(), EventID: eventID, Event: string(ev), CallID: c.ID, Agent: spec.Name,
			URL: w.URL, SecretEnv: w.SecretEnv, Timeout: timeout, Payload: payload,
			Status: store.DeliveryPending, CreatedAt: now, NextAttemptAt: now,
		}
	}
	if err := h.st.EnqueueDeliveries(ctx, ds...); err != nil {
		if errors.Is(err, store.ErrNotFound) {
			return fmt.Errorf("call %s is not stored: %w", c.ID, err)
		}
		return err
	}
	h.wake()
	return nil
}
