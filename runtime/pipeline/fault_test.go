package pipeline

import (
	"strings"
	"testing"
	"time"

	"github.com/parleyhq/parley/runtime/agent"
	"github.com/parleyhq/parley/runtime/metrics"
)

// TestPanicIsContained injects a bug on each of the call's goroutines: the
// panic reaches the line's Fault handler (which fails the call in live)
// with its stack, and the conversation stops cleanly.
func TestPanicIsContained(t *testing.T) {
	for _, tc := range []struct {
		name   string
		inject func(h *harness)
		where  string
	}{
		{"on the loop (VAD)", func(h *harness) { h.vadBug.Store(true) }, "energyVAD"},
		{"on a reply (chat)", func(h *harness) { h.f.chatPanic.Store(true) }, "fakeChat"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			h := newHarness(t, func(s *agent.Spec) { s.Greeting = "" })
			tc.inject(h)
			h.talk(time.Second, true)
			h.talk(600*time.Millisecond, false)
			h.eventually(func() bool { h.mu.Lock(); defer h.mu.Unlock(); return len(h.faults) > 0 }, "the panic handed to Fault")
			h.mu.Lock()
			p := h.faults[0]
			h.mu.Unlock()
			if p.Component != metrics.ComponentPipeline || !strings.Contains(string(p.Stack), tc.where) {
				t.Errorf("panic %v in %s, stack:\n%s", p.Value, p.Component, p.Stack)
			}
			done := make(chan struct{})
			go func() { h.conv.Close(); close(done) }()
			select {
			case <-done:
			case <-time.After(5 * time.Second):
				t.Fatal("Close hangs after a panic")
			}
		})
	}
}
