package provider

import (
	"context"

	"github.com/parleyhq/parley/runtime/pcm"
)

// Transcript is recognised speech.
type Transcript struct {
	Text       string
	Final      bool    // false for a partial result that may still change
	Confidence float64 // 0..1; 0 when the engine gives none
	Language   string  // detected or configured language
}

// STTConfig starts a recognition stream.
type STTConfig struct {
	Language   string // ko, en or auto
	SampleRate int    // of every frame sent
	Options    Options
}

// TranscribeRequest is one whole recording to recognise.
type TranscribeRequest struct {
	Audio    pcm.Audio
	Language string
	Options  Options
}

// STT turns speech into text.
type STT interface {
	// StreamSTT opens a recognition stream for a live call. It fails at once
	// for invalid options. Cancelling ctx ends the stream.
	StreamSTT(ctx context.Context, cfg STTConfig) (STTStream, error)
	// Transcribe recognises one whole recording and returns a final
	// transcript (empty text for silence).
	Transcribe(ctx context.Context, req TranscribeRequest) (Transcript, error)
}

// STTStream is one live recognition. The caller sends frames and marks the
// end of each utterance (its turn detector decides); the provider answers
// with partial transcripts while audio arrives and exactly one final
// transcript per EndUtterance. Send methods are called from one goroutine,
// Recv from one other goroutine.
type STTStream interface {
	// SendAudio hands over the next frame of PCM at the configured rate. The
	// stream must not keep pcm after returning (the caller reuses it);
	// after Close it returns an error.
	SendAudio(pcm []int16) error
	// EndUtterance asks for the final transcript of the audio sent since the
	// previous EndUtterance.
	EndUtterance() error
	// Recv returns the next transcript; io.EOF after CloseSend and the last
	// final; the error that ended the stream otherwise.
	Recv() (Transcript, error)
	// CloseSend says no more audio will come; pending finals still arrive.
	CloseSend() error
	// Close ends the stream at once; safe to call more than once.
	Close() error
}
