package metrics

import (
	"time"

	"github.com/prometheus/client_golang/prometheus"
)

// Outcomes of a tool call: the values of the outcome label of
// parley_tool_calls_total.
const (
	ToolOK               = "ok"                // the tool answered
	ToolError            = "error"             // it failed: HTTP status, not JSON, too large, refused
	ToolTimeout          = "timeout"           // it did not answer in time
	ToolInvalidArguments = "invalid_arguments" // the model's arguments did not match the parameters
	ToolUnknown          = "unknown_tool"      // the model called a tool the agent does not have
)

// maxTools caps distinct tool label values (agents have at most 32 tools
// each; names the model makes up are counted as "unknown").
const maxTools = 256

type toolMetrics struct {
	names    *labelSet
	calls    *prometheus.CounterVec   // agent, tool, outcome
	duration *prometheus.HistogramVec // agent, tool
}

func newToolMetrics() toolMetrics {
	return toolMetrics{
		names: newLabelSet(maxTools),
		calls: prometheus.NewCounterVec(prometheus.CounterOpts{
			Namespace: namespace, Subsystem: "tool", Name: "calls_total",
			Help: "Tool calls made by agents' chat models, by agent, tool and outcome (ok, error, timeout, invalid_arguments, unknown_tool).",
		}, []string{"agent", "tool", "outcome"}),
		duration: prometheus.NewHistogramVec(prometheus.HistogramOpts{
			Namespace: namespace, Subsystem: "tool", Name: "duration_seconds",
			Help:    "Time a tool call took, from the model's call to its result, by agent and tool.",
			Buckets: latencyBuckets,
		}, []string{"agent", "tool"}),
	}
}

func toolOutcome(o string) string {
	switch o {
	case ToolOK, ToolError, ToolTimeout, ToolInvalidArguments, ToolUnknown:
		return o
	}
	return other
}

// ToolCalled records one tool call of an agent and how long it took. A
// tool the agent does not have is counted under the tool name "unknown".
func (m *Metrics) ToolCalled(agent, tool, outcome string, d time.Duration) {
	if m == nil {
		return
	}
	a := m.agentNames.clamp(agent)
	name := "unknown"
	if outcome != ToolUnknown {
		name = m.tools.names.clamp(tool)
	}
	m.tools.calls.WithLabelValues(a, name, toolOutcome(outcome)).Inc()
	m.tools.duration.WithLabelValues(a, name).Observe(d.Seconds())
}
