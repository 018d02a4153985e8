package vad

import (
	"errors"
	"fmt"

	ort "github.com/yalue/onnxruntime_go"
)

// sileroStream holds one call's tensors, bound once to the shared session
// so that a window is a copy into buf and one RunWithBinding: no Go
// allocation per window. ONNX Runtime writes output and stateN straight
// into the Go buffers behind the bound tensors.
type sileroStream struct {
	m       *sileroModel
	input   *ort.Tensor[float32] // [1, 576]: context then window
	state   *ort.Tensor[float32] // [2, 1, 128]
	output  *ort.Tensor[float32] // [1, 1]
	stateN  *ort.Tensor[float32] // [2, 1, 128]
	binding *ort.IoBinding
	buf     []float32 // input's data
	pos     int       // samples of the current window in buf[contextSamples:]
	probs   []float32 // returned by Write, reused
	freed   bool      // guarded by m.mu
}

var _ Stream = (*sileroStream)(nil)

// newSileroStream is called with m.mu held.
func newSileroStream(m *sileroModel) (s *sileroStream, err error) {
	s = &sileroStream{m: m, probs: make([]float32, 0, 4)}
	defer func() {
		if err != nil {
			s.free()
		}
	}()
	if s.input, err = ort.NewEmptyTensor[float32](ort.NewShape(1, contextSamples+WindowSamples)); err != nil {
		return s, err
	}
	if s.state, err = ort.NewEmptyTensor[float32](ort.NewShape(2, 1, 128)); err != nil {
		return s, err
	}
	if s.output, err = ort.NewEmptyTensor[float32](ort.NewShape(1, 1)); err != nil {
		return s, err
	}
	if s.stateN, err = ort.NewEmptyTensor[float32](ort.NewShape(2, 1, 128)); err != nil {
		return s, err
	}
	if s.binding, err = m.session.CreateIoBinding(); err != nil {
		return s, err
	}
	err = errors.Join(
		s.binding.BindInput("input", s.input),
		s.binding.BindInput("state", s.state),
		s.binding.BindInput("sr", m.sr),
		s.binding.BindOutput("output", s.output),
		s.binding.BindOutput("stateN", s.stateN),
	)
	s.buf = s.input.GetData()
	return s, err
}

// Write scores every window the samples complete.
func (s *sileroStream) Write(samples []int16) ([]float32, error) {
	s.m.mu.RLock()
	defer s.m.mu.RUnlock()
	s.probs = s.probs[:0]
	if s.freed {
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
		if err := s.m.session.RunWithBinding(s.binding); err != nil {
			return s.probs, fmt.Errorf("silero window: %w", err)
		}
		copy(s.state.GetData(), s.stateN.GetData())
		// The next window's context is the end of this one.
		copy(s.buf[:contextSamples], s.buf[WindowSamples:])
		s.probs = append(s.probs, s.output.GetData()[0])
	}
	return s.probs, nil
}

// WindowSamples returns 512.
func (s *sileroStream) WindowSamples() int { return WindowSamples }

// Reset zeroes the state, the context and the partial window.
func (s *sileroStream) Reset() {
	s.m.mu.RLock()
	defer s.m.mu.RUnlock()
	if s.freed {
		return
	}
	clear(s.buf)
	clear(s.state.GetData())
	s.pos = 0
}

// Close frees the stream's tensors and binding.
func (s *sileroStream) Close() error {
	s.m.mu.Lock()
	defer s.m.mu.Unlock()
	if !s.freed {
		s.free()
		delete(s.m.streams, s)
	}
	return nil
}

// free releases the C side; called with m.mu held for writing.
func (s *sileroStream) free() {
	if s.binding != nil {
		_ = s.binding.Destroy()
	}
	for _, t := range []*ort.Tensor[float32]{s.input, s.state, s.output, s.stateN} {
		if t != nil {
			_ = t.Destroy()
		}
	}
	s.freed = true
}

// resume prepares the stream to score a window after windows it did not
// see (the gated model skipped them): ctx, the samples just before the
// next window, replaces the context, whose samples are long gone. The
// LSTM state stays that of the last window scored: it has heard this
// call's noise, and a zeroed state misses speech in noise. A partial
// window is dropped.
func (s *sileroStream) resume(ctx []int16) {
	s.m.mu.RLock()
	defer s.m.mu.RUnlock()
	if s.freed {
		return
	}
	for i, v := range ctx[len(ctx)-contextSamples:] {
		s.buf[i] = float32(v) * (1.0 / 32768)
	}
	s.pos = 0
}
