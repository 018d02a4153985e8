package vad

import (
	"fmt"
	"sync/atomic"
)

// sileroStream is one call's Silero state: the window being filled (after
// 64 samples of context) and the LSTM state, in Go memory. A full window
// is scored by the model's batcher together with the other calls'
// windows; Write waits for it. No allocation per window.
type sileroStream struct {
	m      *sileroModel
	buf    []float32 // context then window: the network's input row
	state  []float32 // [2][128]: the LSTM state, zeros at the start
	pos    int       // samples of the current window in buf[contextSamples:]
	prob   float32   // the last window's probability, set by the batcher
	done   chan error
	probs  []float32 // returned by Write, reused
	closed atomic.Bool
}

var _ Stream = (*sileroStream)(nil)

func newSileroStream(m *sileroModel) *sileroStream {
	return &sileroStream{
		m:     m,
		buf:   make([]float32, contextSamples+WindowSamples),
		state: make([]float32, stateSize),
		done:  make(chan error, 1),
		probs: make([]float32, 0, 4),
	}
}

// Write scores every window the samples complete.
func (s *sileroStream) Write(samples []int16) ([]float32, error) {
	s.probs = s.probs[:0]
	if s.closed.Load() {
		return s.probs, ErrClosed
	}
	for len(samples) > 0 {
		win := s.buf[contextSamples+s.pos : contextSamples+WindowSamples]
		n := min(len(win), len(samples))
		for i, v := range samples[:n] {
			win[i] = float32(v) * (1.0 / 32768)
		}
		s.pos += n
		samples = samples[n:]
		if s.pos < WindowSamples {
			break
		}
		s.pos = 0
		if err := s.m.batch.score(s); err != nil {
			return s.probs, fmt.Errorf("silero window: %w", err)
		}
		// The next window's context is the end of this one.
		copy(s.buf[:contextSamples], s.buf[WindowSamples:])
		s.probs = append(s.probs, s.prob)
		if s.closed.Load() {
			return s.probs, ErrClosed
		}
	}
	return s.probs, nil
}

// WindowSamples returns 512.
func (s *sileroStream) WindowSamples() int { return WindowSamples }

// Reset zeroes the state, the context and the partial window.
func (s *sileroStream) Reset() {
	clear(s.buf)
	clear(s.state)
	s.pos = 0
}

// Close marks the stream closed: later Writes return ErrClosed. It holds
// nothing outside Go memory. Safe to call twice, and from another
// goroutine than Write's.
func (s *sileroStream) Close() error {
	if !s.closed.Swap(true) {
		s.m.batch.closedStream()
	}
	return nil
}

// resume prepares the stream to score a window after windows it did not
// see (the gated model skipped them): ctx, the samples just before the
// next window, replaces the context, whose samples are long gone. The
// LSTM state stays that of the last window scored: it has heard this
// call's noise, and a zeroed state misses speech in noise. A partial
// window is dropped.
func (s *sileroStream) resume(ctx []int16) {
	for i, v := range ctx[len(ctx)-contextSamples:] {
		s.buf[i] = float32(v) * (1.0 / 32768)
	}
	s.pos = 0
}
