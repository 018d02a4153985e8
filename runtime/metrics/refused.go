package metrics

// Why a call or request was refused for lack of capacity: the values of
// the reason label of parley_refused_total.
const (
	RefusedMaxCalls    = "max_calls"    // PARLEY_MAX_CALLS calls not in a final state
	RefusedStreamLimit = "stream_limit" // a plugin of the agent at its declared stream limit
	RefusedDraining    = "draining"     // the runtime is shutting down
	RefusedProcessing  = "processing"   // PARLEY_MAX_PROCESSING conversation/process requests in flight
	RefusedUnavailable = "unavailable"  // the database or the bus between instances is down
)

func refusedReason(reason string) string {
	switch reason {
	case RefusedMaxCalls, RefusedStreamLimit, RefusedDraining, RefusedProcessing, RefusedUnavailable:
		return reason
	}
	return "other"
}

// Refused records a call or request refused with 503 for lack of
// capacity, for one of the Refused* reasons.
func (m *Metrics) Refused(reason string) {
	if m == nil {
		return
	}
	m.refused.WithLabelValues(refusedReason(reason)).Inc()
}
