package metrics

import "github.com/prometheus/client_golang/prometheus"

// Components that contain panics: the values of the component label of
// parley_panics_total.
const (
	ComponentLive      = "live"      // a live call's media state and callbacks
	ComponentPipeline  = "pipeline"  // a call's conversation loop and its helpers
	ComponentMedia     = "media"     // WebRTC reading, decoding and pacing
	ComponentSignaling = "signaling" // Socket.IO event handlers
	ComponentStore     = "store"     // writers of turns
	ComponentWebhooks  = "webhooks"  // the webhook delivery worker
)

var components = [...]string{ComponentLive, ComponentPipeline, ComponentMedia, ComponentSignaling, ComponentStore, ComponentWebhooks, other}

// Store operations: the values of the op label of
// parley_store_errors_total.
const (
	OpCreateCall  = "create_call"
	OpUpdateCall  = "update_call"
	OpReadCall    = "read_call"  // one call, by id or session
	OpListCalls   = "list_calls" // pages and sweeps
	OpAppendTurns = "append_turns"
	OpReadTurns   = "read_turns"
	OpDeleteCalls = "delete_calls" // retention
	OpFailLive    = "fail_live_calls"
	OpPing        = "ping"
	OpWebhooks    = "webhook_deliveries" // the webhook delivery queue
)

var storeOps = [...]string{OpCreateCall, OpUpdateCall, OpReadCall, OpListCalls, OpAppendTurns, OpReadTurns, OpDeleteCalls, OpFailLive, OpPing, OpWebhooks, other}

func newFaultCounters() (panics, storeErrors *prometheus.CounterVec) {
	panics = prometheus.NewCounterVec(prometheus.CounterOpts{
		Namespace: namespace, Name: "panics_total",
		Help: "Panics contained (the call they hit ended FAILED, every other call went on), by component.",
	}, []string{"component"})
	storeErrors = prometheus.NewCounterVec(prometheus.CounterOpts{
		Namespace: namespace, Subsystem: "store", Name: "errors_total",
		Help: "Store operations that failed (a full or broken disk, a timeout), by operation; not found and conflicts are not errors.",
	}, []string{"op"})
	// Created at zero, so that rate() and alerts see the first one.
	for _, c := range components {
		panics.WithLabelValues(c)
	}
	for _, op := range storeOps {
		storeErrors.WithLabelValues(op)
	}
	return panics, storeErrors
}

// Panicked records a panic contained in component (one of the Component
// constants; anything else is counted as "other").
func (m *Metrics) Panicked(component string) {
	if m == nil {
		return
	}
	m.panics.WithLabelValues(oneOf(component, components[:])).Inc()
}

// TurnsLost records n turns of a live call that will never be stored.
func (m *Metrics) TurnsLost(n int) {
	if m == nil {
		return
	}
	m.turnsLost.Add(float64(n))
}

// StoreFailed records a failed store operation (one of the Op constants;
// anything else is counted as "other").
func (m *Metrics) StoreFailed(op string) {
	if m == nil {
		return
	}
	m.storeErrors.WithLabelValues(oneOf(op, storeOps[:])).Inc()
}

// oneOf returns v if set holds it, else "other".
func oneOf(v string, set []string) string {
	for _, s := range set {
		if s == v {
			return v
		}
	}
	return other
}
