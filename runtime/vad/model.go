package vad

import (
	"fmt"
	"os"
)

const (
	// SampleRate is the only rate streams accept, in Hz.
	SampleRate = 16000
	// WindowSamples is the window both models score: 512 samples, 32 ms.
	WindowSamples = 512
)

// Model scores speech. One Model is loaded per process and shared by all
// calls; its methods are safe for concurrent use.
type Model interface {
	// NewStream returns a detector for one call, with its own state. The
	// caller closes it when the call ends. It fails with ErrClosed after
	// Close, or when the runtime cannot allocate the stream's buffers.
	NewStream() (Stream, error)
	// Name is "silero" or "energy".
	Name() string
	// String describes the model for logs, e.g. "silero(512@16kHz)".
	String() string
	// Close closes every stream still open (their Write then returns
	// ErrClosed) and frees the model. Safe to call twice.
	Close() error
}

// Stream is one call's detector. It is not safe for concurrent use, except
// that Close may be called from another goroutine.
type Stream interface {
	// Write appends 16 kHz mono samples of any length and returns the
	// speech probability (0..1) of each window they completed, in order;
	// samples left over wait for the next Write. The returned slice is
	// reused by the next Write. On an error the probabilities scored before
	// it are returned with it, and the window that failed is dropped.
	Write(samples []int16) ([]float32, error)
	// WindowSamples is the number of samples per probability (512).
	WindowSamples() int
	// Reset forgets the audio and state so far, as if the stream were new.
	Reset()
	// Close frees the stream; later Writes return ErrClosed. Safe to call
	// twice.
	Close() error
}

// Open loads Silero VAD: lib is the path of libonnxruntime.so.1 and model
// the path of silero_vad.onnx (the runtime passes <exe dir>/vad/ for both).
//
// It always returns a usable Model. With a nil error it is Silero. If
// either path is empty or missing, ONNX Runtime cannot be loaded, or the
// model fails to load, has other inputs and outputs than Silero v5/v6, or
// fails a test window, it returns NewEnergy() and an error wrapping
// ErrFallback and the cause (fs.ErrNotExist for a missing file), which the
// caller logs as a warning before going on.
//
// ONNX Runtime is loaded once per process and stays loaded while any
// Silero model is open; a later Open must pass the same library (or any
// library while it was loaded by other code of the process).
//
// Options change the Silero model returned; the fallback ignores them.
func Open(lib, model string, opts ...Option) (Model, error) {
	var o options
	for _, opt := range opts {
		opt(&o)
	}
	m, err := openSilero(lib, model)
	if err != nil {
		return NewEnergy(), fmt.Errorf("%w: %w", ErrFallback, err)
	}
	if o.gate {
		return newGated(m, newEnergyModel(defaultEnergy), defaultGate), nil
	}
	return m, nil
}

// Option configures Open.
type Option func(*options)

type options struct {
	gate bool
}

// checkFile reports a missing or unreadable file as an error wrapping the
// os error, with what the file is for.
func checkFile(what, path string) error {
	if path == "" {
		return fmt.Errorf("no %s path given", what)
	}
	fi, err := os.Stat(path)
	if err != nil {
		return fmt.Errorf("%s: %w", what, err)
	}
	if fi.IsDir() {
		return fmt.Errorf("%s %s is a directory", what, path)
	}
	return nil
}
