package webhook

import (
	"context"
	"fmt"

	"github.com/parleyhq/parley/runtime/agent"
	"github.com/parleyhq/parley/runtime/call"
	"github.com/parleyhq/parley/runtime/store"
)

// Agents finds an agent's current spec; *agent.Registry implements it.
type Agents interface {
	Get(name string) (*agent.Spec, error)
}

// Recovered queues call-ended for the calls a previous run left live
// (ids, read before service.Calls.Recover failed them), with the webhooks
// of their agent as it is now: their own spec died with that run. A call
// that is not FAILED or ENDED now, or whose agent is gone or not ready, is
// skipped. It returns how many events it queued.
func (h *Hooks) Recovered(ctx context.Context, st store.Store, agents Agents, ids []string) (int, error) {
	n := 0
	for _, id := range ids {
		c, err := st.Call(ctx, id)
		if err != nil {
			return n, fmt.Errorf("recovered call %s: %w", id, err)
		}
		if !c.Status.Terminal() || c.Agent == "" || c.PersonToPerson() {
			continue
		}
		spec, err := agents.Get(c.Agent)
		if err != nil {
			h.log.Warn("no call-ended event for a call the last run left live: its agent is not ready", "call", c.ID, "agent", c.Agent, "err", err)
			continue
		}
		if len(spec.WebhooksFor(agent.EventCallEnded)) == 0 {
			continue
		}
		if err := h.enqueue(ctx, c, spec, agent.EventCallEnded, nil); err != nil {
			return n, fmt.Errorf("recovered call %s: %w", id, err)
		}
		n++
	}
	return n, nil
}

// LiveStatuses are the statuses of a call that is not over.
var LiveStatuses = []call.Status{call.StatusInitiating, call.StatusRinging, call.StatusConnecting, call.StatusInProgress}
