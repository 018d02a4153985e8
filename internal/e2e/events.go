package e2e

import (
	"sync"
	"testing"
	"time"

	sio "github.com/zishang520/socket.io/clients/socket/v3"
	"github.com/zishang520/socket.io/v3/pkg/types"
)

// Event is one signaling event a client got.
type Event struct {
	Name    string
	Payload map[string]any
}

// Events records the signaling events a client gets, for a test to wait
// on. The zero value is ready to use and safe for concurrent use.
type Events struct {
	// IgnoreErrors keeps Wait going past an `error` event; by default one
	// fails the test.
	IgnoreErrors bool

	mu   sync.Mutex
	list []Event
}

// On records, from now on, the events of sock called names.
func (e *Events) On(sock *sio.Socket, names ...string) {
	for _, name := range names {
		_ = sock.On(types.EventName(name), func(args ...any) { e.Add(name, firstMap(args)) })
	}
}

// Add records an event.
func (e *Events) Add(name string, payload map[string]any) {
	e.mu.Lock()
	e.list = append(e.list, Event{name, payload})
	e.mu.Unlock()
}

// Find returns the nth event called name that match accepts (nil: any).
// Unless IgnoreErrors is set, failure is the payload of an `error` event
// recorded before it (when name is not "error").
func (e *Events) Find(name string, nth int, match func(map[string]any) bool) (payload map[string]any, ok bool, failure map[string]any) {
	e.mu.Lock()
	defer e.mu.Unlock()
	seen := 0
	for _, ev := range e.list {
		if ev.Name == "error" && name != "error" && !e.IgnoreErrors {
			return nil, false, ev.Payload
		}
		if ev.Name == name && (match == nil || match(ev.Payload)) {
			if seen++; seen == nth {
				return ev.Payload, true, nil
			}
		}
	}
	return nil, false, nil
}

// Wait returns the nth event called name that match accepts (nil: any),
// polling every 10 ms; it fails the test after within or on an `error`
// event (see IgnoreErrors).
func (e *Events) Wait(t testing.TB, name string, nth int, match func(map[string]any) bool, within time.Duration) map[string]any {
	t.Helper()
	deadline := time.Now().Add(within)
	for {
		payload, ok, failure := e.Find(name, nth, match)
		if failure != nil {
			t.Fatalf("signaling error while waiting for %s: %v", name, failure)
		}
		if ok {
			return payload
		}
		if time.Now().After(deadline) {
			t.Fatalf("no %s event #%d within %s; got %v", name, nth, within, e.Names())
		}
		time.Sleep(10 * time.Millisecond)
	}
}

// Names lists the events recorded so far, with the text of final ones
// (transcripts, agent responses).
func (e *Events) Names() []string {
	e.mu.Lock()
	defer e.mu.Unlock()
	out := make([]string, 0, len(e.list))
	for _, ev := range e.list {
		if text, ok := ev.Payload["text"].(string); ok && ev.Payload["final"] == true {
			out = append(out, ev.Name+"("+text+")")
			continue
		}
		out = append(out, ev.Name)
	}
	return out
}

// firstMap is an event's first argument as a JSON object (nil if it is
// not one).
func firstMap(args []any) map[string]any {
	if len(args) == 0 {
		return nil
	}
	m, _ := args[0].(map[string]any)
	return m
}
