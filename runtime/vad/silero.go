package vad

import (
	"errors"
	"fmt"
	"slices"
	"sync"

	ort "github.com/yalue/onnxruntime_go"
)

// The Silero VAD ONNX interface of v5, kept by v6, as the model file
// declares it:
//
//	input  float32 [batch, samples]  64 samples of context + a 512-sample window, in [-1, 1]
//	state  float32 [2, batch, 128]   LSTM state, zeros at the start
//	sr     int64   scalar            16000
//	output float32 [batch, 1]        speech probability
//	stateN float32 [2, batch, 128]   the state for the next window
const (
	contextSamples = 64
	stateSize      = 2 * 1 * 128
)

var (
	sileroInputs  = []string{"input", "state", "sr"}
	sileroOutputs = []string{"output", "stateN"}
)

// sileroModel is one ONNX Runtime session shared by all streams, whose
// windows its batcher scores together.
type sileroModel struct {
	session *ort.DynamicAdvancedSession
	sr      *ort.Scalar[int64] // read-only, bound by every batch
	batch   *batcher

	mu     sync.Mutex // guards closed: Close frees everything once
	closed bool
}

var _ Model = (*sileroModel)(nil)

// openSilero loads the environment and the session, checks the model's
// interface, and scores a window of silence to prove it runs.
func openSilero(lib, model string) (m *sileroModel, err error) {
	if err := checkFile("onnxruntime library", lib); err != nil {
		return nil, err
	}
	if err := checkFile("silero model", model); err != nil {
		return nil, err
	}
	if err := acquireEnv(lib); err != nil {
		return nil, err
	}
	m = &sileroModel{}
	defer func() {
		if err != nil {
			err = errors.Join(err, m.Close())
		}
	}()
	if err := checkInterface(model); err != nil {
		return m, err
	}
	opts, err := ort.NewSessionOptions()
	if err != nil {
		return m, fmt.Errorf("session options: %w", err)
	}
	defer func() { _ = opts.Destroy() }()
	// One thread per Run: the batcher runs one batch at a time at a lower
	// priority, and a pool would take the cores the calls' audio needs.
	// No arena: it only grows, and plain malloc costs nothing measurable
	// on this small network.
	if err := errors.Join(
		opts.SetIntraOpNumThreads(1),
		opts.SetInterOpNumThreads(1),
		opts.SetCpuMemArena(false),
	); err != nil {
		return m, fmt.Errorf("session options: %w", err)
	}
	m.session, err = ort.NewDynamicAdvancedSession(model, sileroInputs, sileroOutputs, opts)
	if err != nil {
		return m, fmt.Errorf("load silero model %s: %w", model, err)
	}
	if m.sr, err = ort.NewScalar[int64](SampleRate); err != nil {
		return m, fmt.Errorf("sample rate tensor: %w", err)
	}
	m.batch = newBatcher(m.session, m.sr)
	s, err := m.NewStream()
	if err != nil {
		return m, err
	}
	defer func() { _ = s.Close() }()
	if _, err := s.Write(make([]int16, WindowSamples)); err != nil {
		return m, fmt.Errorf("test window: %w", err)
	}
	return m, nil
}

// checkInterface reads the model's declared inputs and outputs, so a v4
// model (h, c) or another network fails here and not at the first call.
func checkInterface(model string) error {
	in, out, err := ort.GetInputOutputInfo(model)
	if err != nil {
		return fmt.Errorf("read silero model %s: %w", model, err)
	}
	names := func(infos []ort.InputOutputInfo) []string {
		var n []string
		for _, i := range infos {
			n = append(n, i.Name)
		}
		slices.Sort(n)
		return n
	}
	wantIn, wantOut := slices.Sorted(slices.Values(sileroInputs)), slices.Sorted(slices.Values(sileroOutputs))
	if gotIn, gotOut := names(in), names(out); !slices.Equal(gotIn, wantIn) || !slices.Equal(gotOut, wantOut) {
		return fmt.Errorf("%s lacks the silero v5 interface: inputs %v outputs %v, want %v and %v",
			model, gotIn, gotOut, wantIn, wantOut)
	}
	return nil
}

// NewStream returns a stream with its own state.
func (m *sileroModel) NewStream() (Stream, error) {
	if err := m.batch.opened(); err != nil {
		return nil, err
	}
	return newSileroStream(m), nil
}

// Name returns "silero".
func (m *sileroModel) Name() string { return "silero" }

// String describes the model.
func (m *sileroModel) String() string { return "silero(512@16kHz)" }

// Close stops the batcher (streams' later Writes return ErrClosed) and
// frees the session and, after the last model, the ONNX Runtime
// environment.
func (m *sileroModel) Close() error {
	m.mu.Lock()
	defer m.mu.Unlock()
	if m.closed {
		return nil
	}
	m.closed = true
	var errs []error
	if m.batch != nil {
		errs = append(errs, m.batch.close())
	}
	if m.sr != nil {
		errs = append(errs, m.sr.Destroy())
	}
	if m.session != nil {
		errs = append(errs, m.session.Destroy())
	}
	errs = append(errs, releaseEnv())
	return errors.Join(errs...)
}
