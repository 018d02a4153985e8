package fault

import (
	"strings"
	"testing"
)

func TestRecover(t *testing.T) {
	var got *Panic
	func() {
		defer Recover("pipeline", func(p *Panic) { got = p })
		var m map[string]int
		m["boom"]++ //nolint:staticcheck // the injected bug: a runtime panic
	}()
	if got == nil {
		t.Fatal("the panic was not handed to the handler")
	}
	if got.Component != "pipeline" || !strings.Contains(got.Error(), "nil map") {
		t.Fatalf("got %v", got)
	}
	if !strings.Contains(string(got.Stack), "fault_test.go") {
		t.Fatalf("the stack does not show where it panicked:\n%s", got.Stack)
	}
}

func TestRecoverWithoutPanic(t *testing.T) {
	called := false
	func() { defer Recover("live", func(*Panic) { called = true }) }()
	if called {
		t.Fatal("the handler ran without a panic")
	}
}

func TestGo(t *testing.T) {
	done := make(chan *Panic, 1)
	Go("media", func(p *Panic) { done <- p }, func() { panic("boom") })
	if p := <-done; p.Value != "boom" || p.Component != "media" {
		t.Fatalf("got %v", p)
	}
}
