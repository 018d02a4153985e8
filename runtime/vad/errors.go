package vad

import "errors"

var (
	// ErrFallback is wrapped by the error Open returns when it could not
	// load Silero and returned the energy model instead.
	ErrFallback = errors.New("silero vad unavailable, using the energy detector")
	// ErrClosed is returned by a Stream whose Model or which itself is closed.
	ErrClosed = errors.New("vad closed")
)
