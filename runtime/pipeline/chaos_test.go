//go:build chaos

package pipeline

import (
	"testing"
	"time"

	"github.com/parleyhq/parley/runtime/agent"
)

// TestChaosHook (go test -tags chaos): the injected panic reaches Fault.
func TestChaosHook(t *testing.T) {
	h := newHarness(t, func(s *agent.Spec) { s.Greeting = ""; s.Name = "chaos-panic-1" })
	h.talk(time.Second, true)
	h.talk(600*time.Millisecond, false)
	h.eventually(func() bool { h.mu.Lock(); defer h.mu.Unlock(); return len(h.faults) == 1 }, "the injected panic")
}
