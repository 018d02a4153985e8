package webhook

import (
	"context"
	"sync"
)

// Settle tells when a call's conversation has stopped, so that its
// call-ended report is built only after its last turns are stored (the
// conversation stores them off its loop, and finishes after the call's
// status changed). It is safe for concurrent use; the zero value is not:
// use NewSettle.
type Settle struct {
	mu   sync.Mutex
	open map[string]*settling // by call id; an entry lives as long as its conversation
}

type settling struct {
	n    int
	done chan struct{}
}

// NewSettle returns an empty Settle.
func NewSettle() *Settle { return &Settle{open: map[string]*settling{}} }

// Begin records that a conversation of callID started; the returned
// function records that it stopped (its turns are stored) and may be
// called more than once.
func (s *Settle) Begin(callID string) (done func()) {
	s.mu.Lock()
	e := s.open[callID]
	if e == nil {
		e = &settling{done: make(chan struct{})}
		s.open[callID] = e
	}
	e.n++
	s.mu.Unlock()
	var once sync.Once
	return func() {
		once.Do(func() {
			s.mu.Lock()
			defer s.mu.Unlock()
			if e.n--; e.n == 0 {
				close(e.done)
				delete(s.open, callID)
			}
		})
	}
}

// Wait returns when no conversation of callID is running, or with ctx's
// error when ctx ends first.
func (s *Settle) Wait(ctx context.Context, callID string) error {
	if s == nil {
		return nil
	}
	s.mu.Lock()
	e := s.open[callID]
	s.mu.Unlock()
	if e == nil {
		return nil
	}
	select {
	case <-e.done:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}
