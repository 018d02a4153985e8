package metrics

import "github.com/prometheus/client_golang/prometheus"

// agentSeries holds the collectors of one agent.
type agentSeries struct {
	label                string
	turns, interruptions prometheus.Counter
	backchannels         prometheus.Counter
	speculative          map[string]prometheus.Counter // started, confirmed, discarded
	response, overhead   prometheus.Observer
	endWait              prometheus.Observer
	active               prometheus.Gauge
	ended, failed        prometheus.Counter
	sentiment            map[string]prometheus.Counter // positive, neutral, negative, other
}

func (m *Metrics) newAgentSeries(agent string) *agentSeries {
	l := m.agentNames.clamp(agent)
	return &agentSeries{
		label:         l,
		turns:         m.turns.WithLabelValues(l),
		interruptions: m.interruptions.WithLabelValues(l),
		backchannels:  m.backchannels.WithLabelValues(l),
		speculative: map[string]prometheus.Counter{
			SpeculationStarted:   m.speculative.WithLabelValues(l, SpeculationStarted),
			SpeculationConfirmed: m.speculative.WithLabelValues(l, SpeculationConfirmed),
			SpeculationDiscarded: m.speculative.WithLabelValues(l, SpeculationDiscarded),
		},
		response: m.response.WithLabelValues(l),
		overhead: m.overhead.WithLabelValues(l),
		endWait:  m.endWait.WithLabelValues(l),
		active:   m.callsActive.WithLabelValues(l),
		ended:    m.callsFinished.WithLabelValues(l, "ENDED"),
		failed:   m.callsFinished.WithLabelValues(l, "FAILED"),
		// Created at zero, so that rate() and increase() count an agent's
		// first scored turn too.
		sentiment: map[string]prometheus.Counter{
			"positive": m.sentiments.WithLabelValues(l, "positive"),
			"neutral":  m.sentiments.WithLabelValues(l, "neutral"),
			"negative": m.sentiments.WithLabelValues(l, "negative"),
			other:      m.sentiments.WithLabelValues(l, other),
		},
	}
}

// CallStarted records that a call answered by agent began. Pair it with
// exactly one CallFinished.
func (m *Metrics) CallStarted(agent string) {
	if m == nil {
		return
	}
	m.agents.get(agent).active.Inc()
}

// CallFinished records that a call answered by agent, counted by
// CallStarted, finished with status: "ENDED" or "FAILED" as call.Status
// spells them; any other status is counted as "other".
func (m *Metrics) CallFinished(agent, status string) {
	if m == nil {
		return
	}
	a := m.agents.get(agent)
	a.active.Dec()
	switch status {
	case "ENDED":
		a.ended.Inc()
	case "FAILED":
		a.failed.Inc()
	default:
		m.callsFinished.WithLabelValues(a.label, other).Inc()
	}
}
