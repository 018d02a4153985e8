package vad

import (
	"math"
	"sync/atomic"
)

// energyStream is one call's energy detector (see NewEnergy).
type energyStream struct {
	m      *energyModel
	re, im [WindowSamples]float32
	pos    int // samples of the current window in re
	probs  []float32
	closed atomic.Bool

	windows int       // windows scored since the start or Reset
	prob    float64   // the last probability, after release
	raw     float64   // the last probability before release (the gated model reads it)
	power   []float64 // per band: this window's power
	noise   []float64 // the noise estimate
	smooth  []float64 // smoothed power, whose minimum bounds noise from below
	cur     []float64 // minimum of smooth in the current block
	mins    []float64 // minimum of smooth in each of the last blocks, bands per block
}

var _ Stream = (*energyStream)(nil)

// Write scores every window the samples complete.
func (s *energyStream) Write(samples []int16) ([]float32, error) {
	s.probs = s.probs[:0]
	if s.closed.Load() || s.m.closed.Load() {
		return s.probs, ErrClosed
	}
	for len(samples) > 0 {
		n := min(WindowSamples-s.pos, len(samples))
		for i, v := range samples[:n] {
			s.re[s.pos+i] = float32(v) * (1.0 / 32768)
		}
		s.pos += n
		samples = samples[n:]
		if s.pos < WindowSamples {
			break
		}
		s.pos = 0
		s.probs = append(s.probs, float32(s.window()))
	}
	return s.probs, nil
}

// window scores the full window in re and updates the noise estimate.
func (s *energyStream) window() float64 {
	m, p := s.m, &s.m.p
	for i, w := range m.hann {
		s.re[i] *= w
	}
	clear(s.im[:])
	m.fft.transform(s.re[:], s.im[:])
	for b := range s.power {
		lo, hi := m.edges[b], m.edges[b+1]
		var sum float32
		for k := lo; k < hi; k++ {
			sum += s.re[k]*s.re[k] + s.im[k]*s.im[k]
		}
		s.power[b] = float64(sum*m.norm) / float64(hi-lo)
	}
	if s.windows == 0 {
		// Take the first window for noise: there is nothing to compare it with.
		for b, pw := range s.power {
			s.noise[b], s.smooth[b], s.cur[b] = max(pw, m.floor), pw, pw
		}
		for i := range s.mins {
			s.mins[i] = s.power[i%p.bands]
		}
	}
	s.windows++

	var llr float64
	for b, pw := range s.power {
		if g := pw / s.noise[b]; g > 1 {
			llr += min(g-1-math.Log(g), 20)
		}
	}
	raw := 1 / (1 + math.Exp(-p.slope*(llr/float64(p.bands)-p.threshold)))
	s.prob = max(raw, s.prob*p.release)
	s.raw = raw

	block := (s.windows / p.blockWindows) % p.minBlocks
	for b, pw := range s.power {
		s.smooth[b] = p.smooth*s.smooth[b] + (1-p.smooth)*pw
		s.cur[b] = min(s.cur[b], s.smooth[b])
		if raw < 0.5 {
			s.noise[b] += p.noiseAlpha * (pw - s.noise[b])
		}
		lowest := s.cur[b]
		for k := b; k < len(s.mins); k += p.bands {
			lowest = min(lowest, s.mins[k])
		}
		s.noise[b] = min(max(s.noise[b], lowest, m.floor), p.ceiling*max(lowest, m.floor))
		if s.windows%p.blockWindows == 0 {
			s.mins[block*p.bands+b] = s.cur[b]
			s.cur[b] = s.smooth[b]
		}
	}
	return s.prob
}

// WindowSamples returns 512.
func (s *energyStream) WindowSamples() int { return WindowSamples }

// Reset forgets the noise estimate and the partial window.
func (s *energyStream) Reset() {
	s.pos, s.windows, s.prob = 0, 0, 0
}

// Close makes later Writes fail with ErrClosed.
func (s *energyStream) Close() error {
	s.closed.Store(true)
	return nil
}
