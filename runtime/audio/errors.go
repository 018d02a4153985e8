package audio

import "errors"

var (
	// ErrUnsupportedFormat is returned for input that is none of the accepted
	// formats (FLAC, AAC, MP4, Ogg/Vorbis, random bytes ...).
	ErrUnsupportedFormat = errors.New("unsupported audio format (accepted: WAV (PCM, float, G.711), MP3, Ogg/Opus, WebM/Opus)")
	// ErrCorrupt is returned when the container is recognised but its
	// content is broken or truncated.
	ErrCorrupt = errors.New("corrupt or truncated audio")
	// ErrEmpty is returned when the input holds no audio samples.
	ErrEmpty = errors.New("audio has no samples")
	// ErrTooLong is returned when the decoded audio would exceed the maximum
	// duration (DefaultMaxDuration unless WithMaxDuration says otherwise).
	ErrTooLong = errors.New("audio is too long")
	// ErrInvalidRate is returned for a sample rate or rate pair the
	// resampler cannot handle.
	ErrInvalidRate = errors.New("invalid sample rate")
)
