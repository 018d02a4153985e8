package live

import (
	"context"
	"fmt"

	"github.com/parleyhq/parley/runtime/fault"
)

// onPanic is the handler of the panics contained while serving the
// session's call (in live, media or the conversation): the first one logs
// its stack and fails the call (reason "internal error"); each is counted.
// Every other call goes on.
func (s *session) onPanic(p *fault.Panic) {
	s.m.cfg.Metrics.Panicked(p.Component)
	if s.faulted.Swap(true) {
		s.m.log.Debug("another panic contained in a failing call", "call", s.callID, "component", p.Component, "panic", fmt.Sprint(p.Value))
		return
	}
	s.m.log.Error("panic contained: the call fails, every other call goes on", "call", s.callID,
		"component", p.Component, "panic", fmt.Sprint(p.Value), "stack", string(p.Stack))
	// Stop feeding a conversation that may be broken.
	s.cancel()
	s.m.finish(context.Background(), s.callID, fault.ReasonInternalError)
}

// teardownPanicked handles a panic contained while freeing a call that
// has already finished: logged and counted, nothing more to end.
func (m *Manager) teardownPanicked(callID string) fault.Handler {
	return func(p *fault.Panic) {
		m.cfg.Metrics.Panicked(p.Component)
		m.log.Error("panic contained while freeing a call", "call", callID, "component", p.Component,
			"panic", fmt.Sprint(p.Value), "stack", string(p.Stack))
	}
}
