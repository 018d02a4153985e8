package caller

import (
	"sync"
	"time"
)

// event is one server event of the /signaling namespace.
type event struct {
	Name string
	Data map[string]any
}

// SpeakingEvent is an agent-speaking live event and when it arrived.
type SpeakingEvent struct {
	State string // start, stop or interrupted
	At    time.Time
}

// EventCounts counts server events by name over all calls. The zero value
// is ready to use; it is safe for concurrent use.
type EventCounts struct {
	mu sync.Mutex
	m  map[string]int
}

// Add counts one event called name.
func (e *EventCounts) Add(name string) {
	e.mu.Lock()
	defer e.mu.Unlock()
	if e.m == nil {
		e.m = map[string]int{}
	}
	e.m[name]++
}

// Snapshot returns a copy of the counts.
func (e *EventCounts) Snapshot() map[string]int {
	e.mu.Lock()
	defer e.mu.Unlock()
	out := make(map[string]int, len(e.m))
	for k, v := range e.m {
		out[k] = v
	}
	return out
}

// First returns the first of a Socket.IO handler's arguments as a T.
func First[T any](args []any) (T, bool) {
	var zero T
	if len(args) == 0 {
		return zero, false
	}
	v, ok := args[0].(T)
	return v, ok
}
