package flite

import "errors"

// Sentinel errors of the flite wrapper.
var (
	// ErrVoice means there is no such flite voice.
	ErrVoice = errors.New("flite: unknown voice")
	// ErrSynth means synthesis failed.
	ErrSynth = errors.New("flite: synthesis failed")
)
