package espeakng

import "errors"

// Sentinel errors of the espeak-ng wrapper.
var (
	// ErrInit means the library did not start (its data is missing).
	ErrInit = errors.New("espeak-ng: cannot initialise")
	// ErrVoice means espeak-ng has no such voice.
	ErrVoice = errors.New("espeak-ng: unknown voice")
	// ErrSynth means synthesis failed.
	ErrSynth = errors.New("espeak-ng: synthesis failed")
)
