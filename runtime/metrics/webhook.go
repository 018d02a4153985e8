package metrics

import "github.com/prometheus/client_golang/prometheus"

// Outcomes of a webhook delivery attempt: the values of the outcome label
// of parley_webhook_deliveries_total.
const (
	WebhookDelivered = "delivered" // the endpoint answered 2xx
	WebhookRetried   = "retried"   // the attempt failed; another is scheduled
	WebhookFailed    = "failed"    // the last attempt failed; given up
)

var (
	webhookOutcomes = [...]string{WebhookDelivered, WebhookRetried, WebhookFailed}
	webhookEvents   = [...]string{"call-started", "call-ended", "tool-called"}
)

type webhookCollectors struct {
	deliveries *prometheus.CounterVec // agent, event, outcome
	pending    prometheus.Gauge
}

func newWebhookCollectors() webhookCollectors {
	return webhookCollectors{
		deliveries: prometheus.NewCounterVec(prometheus.CounterOpts{
			Namespace: namespace, Subsystem: "webhook", Name: "deliveries_total",
			Help: "Webhook delivery attempts by agent, event and outcome (delivered, retried: failed and scheduled again, failed: given up).",
		}, []string{"agent", "event", "outcome"}),
		pending: prometheus.NewGauge(prometheus.GaugeOpts{
			Namespace: namespace, Subsystem: "webhook", Name: "pending_deliveries",
			Help: "Webhook deliveries queued in the store and not yet delivered or given up.",
		}),
	}
}

// WebhookAttempt records the outcome (a Webhook constant) of one delivery
// attempt of event for agent.
func (m *Metrics) WebhookAttempt(agent, event, outcome string) {
	if m == nil {
		return
	}
	m.webhooks.deliveries.WithLabelValues(m.agentNames.clamp(agent), oneOf(event, webhookEvents[:]), oneOf(outcome, webhookOutcomes[:])).Inc()
}

// WebhooksPending sets the number of deliveries waiting in the queue.
func (m *Metrics) WebhooksPending(n int) {
	if m == nil {
		return
	}
	m.webhooks.pending.Set(float64(n))
}
