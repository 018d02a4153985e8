package live

import (
	"context"
	"fmt"
	"runtime/debug"

	"github.com/parleyhq/parley/runtime/fault"
	"github.com/parleyhq/parley/runtime/metrics"
	"github.com/parleyhq/parley/runtime/signaling"
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

// containEvent, deferred first by the signaling entry points (offer,
// candidate, audio-data), contains a panic met while handling a client's
// event (in Pion's SDP parsing of a hostile offer, say): the event is
// refused with INTERNAL, the call fails (internal error), and the socket,
// the other calls and the process go on.
func (m *Manager) containEvent(callID string, err *error) {
	v := recover()
	if v == nil {
		return
	}
	p := &fault.Panic{Component: metrics.ComponentLive, Value: v, Stack: debug.Stack()}
	if s := m.existing(callID); s != nil {
		s.onPanic(p)
	} else {
		m.cfg.Metrics.Panicked(p.Component)
		m.log.Error("panic contained: the call fails, every other call goes on", "call", callID,
			"component", p.Component, "panic", fmt.Sprint(p.Value), "stack", string(p.Stack))
		m.finish(context.Background(), callID, fault.ReasonInternalError)
	}
	*err = signaling.Errorf(signaling.CodeInternal, "the runtime failed on this event; the call has ended")
}
