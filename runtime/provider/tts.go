package provider

import (
	"context"

	"github.com/parleyhq/parley/runtime/pcm"
)

// TTSRequest is text to speak.
type TTSRequest struct {
	Text     string
	Voice    string // provider voice name; empty for the provider's default
	Language string
	Options  Options
}

// TTS turns text into speech.
type TTS interface {
	// Synthesize streams the speech of req as PCM chunks, each with its
	// sample rate; the first chunk comes before the whole text is
	// synthesised. Cancelling ctx stops synthesis.
	Synthesize(ctx context.Context, req TTSRequest) (Stream[pcm.Audio], error)
}
