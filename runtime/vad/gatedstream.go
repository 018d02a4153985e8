package vad

import (
	"errors"
	"sync/atomic"
)

// gatedStream is one call's gated detector (see WithEnergyGate).
type gatedStream struct {
	m      *gatedModel
	silero *sileroStream
	energy *energyStream
	win    [WindowSamples]int16
	pos    int                   // samples of the current window in win
	prev   [contextSamples]int16 // the end of the previous window: Silero's context on resuming
	probs  []float32
	closed atomic.Bool

	windows int     // windows scored since the start or Reset
	ran     int     // of which Silero scored
	running bool    // Silero scored the previous window
	last    float32 // Silero's latest probability
	hang    int     // windows of hangover left
}

var _ Stream = (*gatedStream)(nil)

// Write scores every window the samples complete.
func (s *gatedStream) Write(samples []int16) ([]float32, error) {
	s.probs = s.probs[:0]
	if s.closed.Load() {
		return s.probs, ErrClosed
	}
	for len(samples) > 0 {
		n := copy(s.win[s.pos:], samples)
		s.pos += n
		samples = samples[n:]
		if s.pos < WindowSamples {
			break
		}
		s.pos = 0
		p, err := s.window()
		if err != nil {
			return s.probs, err
		}
		s.probs = append(s.probs, p)
	}
	return s.probs, nil
}

// window scores the full window in win.
func (s *gatedStream) window() (float32, error) {
	g := &s.m.p
	if _, err := s.energy.Write(s.win[:]); err != nil {
		return 0, err
	}
	// The instant probability: the released one stays high for 8 windows
	// after each word, which the hangover does better.
	e := float32(s.energy.raw)
	run := s.windows < g.warmup || e >= g.open || (s.running && s.last >= g.hold)
	switch {
	case run:
		s.hang = g.hangover
	case s.running && s.hang > 0:
		s.hang--
		run = true
	}
	p := e * g.skipped
	if run {
		if !s.running && s.windows > 0 {
			s.silero.resume(s.prev[:])
		}
		sp, err := s.silero.Write(s.win[:])
		if err != nil {
			return 0, err
		}
		p, s.last = sp[0], sp[0]
		s.ran++
	}
	s.running = run
	copy(s.prev[:], s.win[WindowSamples-contextSamples:])
	s.windows++
	return p, nil
}

// WindowSamples returns 512.
func (s *gatedStream) WindowSamples() int { return WindowSamples }

// Reset forgets the audio and state of both detectors.
func (s *gatedStream) Reset() {
	s.silero.Reset()
	s.energy.Reset()
	s.pos, s.windows, s.ran, s.running, s.last, s.hang = 0, 0, 0, false, 0, 0
}

// Close closes both streams; later Writes return ErrClosed. Safe to call
// twice.
func (s *gatedStream) Close() error {
	s.closed.Store(true)
	return errors.Join(s.silero.Close(), s.energy.Close())
}
