// Package fault contains panics: a goroutine that serves one call defers
// Recover, so that a bug met by one call ends that call (FAILED, reason
// "internal error") and leaves every other call and the process running.
// It imports nothing of this module.
package fault

import (
	"fmt"
	"runtime/debug"
)

// ReasonInternalError is the end reason of a call that a recovered panic
// ended.
const ReasonInternalError = "internal error"

// Panic is a recovered panic: where it was contained, its value and the
// stack of the goroutine that panicked.
type Panic struct {
	// Component names the part that contained it (live, pipeline, media,
	// store ...): a metrics label, so a small fixed set.
	Component string
	Value     any
	Stack     []byte
}

// Error implements error.
func (p *Panic) Error() string { return fmt.Sprintf("panic in %s: %v", p.Component, p.Value) }

// Handler is told of a contained panic. It runs on the goroutine that
// panicked, after the panic stopped: it must not block for long.
type Handler func(*Panic)

// Recover stops a panic of the calling goroutine and hands it to handle
// (which may be nil: the panic is then only stopped). It must be deferred
// directly:
//
//	defer fault.Recover("pipeline", onPanic)
func Recover(component string, handle Handler) {
	v := recover()
	if v == nil {
		return
	}
	if handle != nil {
		handle(&Panic{Component: component, Value: v, Stack: debug.Stack()})
	}
}

// Go runs f on a new goroutine that recovers from a panic of f.
func Go(component string, handle Handler, f func()) {
	go func() {
		defer Recover(component, handle)
		f()
	}()
}
