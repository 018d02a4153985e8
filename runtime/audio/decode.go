package audio

import (
	"errors"
	"fmt"
	"time"

	"github.com/parleyhq/parley/runtime/pcm"
)

// DefaultMaxDuration is the longest audio Decode returns unless
// WithMaxDuration says otherwise.
const DefaultMaxDuration = 10 * time.Minute

// DecodeOption tunes Decode.
type DecodeOption func(*decodeConfig)

type decodeConfig struct {
	maxDuration time.Duration
}

// maxSamples is the most samples at rate that fit in the maximum duration.
func (c decodeConfig) maxSamples(rate int) int {
	return int(int64(c.maxDuration) * int64(rate) / int64(time.Second))
}

// WithMaxDuration caps the decoded duration (default DefaultMaxDuration;
// d <= 0 keeps the default). Longer audio fails with ErrTooLong: before
// decoding where the container tells its length (WAV, MP3), and as soon as
// the cap is passed otherwise, so memory stays bounded by the cap.
func WithMaxDuration(d time.Duration) DecodeOption {
	return func(c *decodeConfig) {
		if d > 0 {
			c.maxDuration = d
		}
	}
}

// Decode decodes an audio file to mono 16-bit PCM at the rate of the source
// (48 kHz for Opus) and reports the format it found. The format is sniffed
// from the bytes; contentType is only used to make errors clearer.
//
// Accepted: WAV (8/16/24/32-bit integer, 32/64-bit float, A-law, µ-law, any
// channel count, WAVE_FORMAT_EXTENSIBLE), MP3, Ogg/Opus and WebM/Opus
// (including the unknown-size WebM that MediaRecorder writes). Channels are
// mixed down to mono. Errors wrap ErrUnsupportedFormat, ErrCorrupt, ErrEmpty
// or ErrTooLong; Decode never panics, whatever the input.
func Decode(data []byte, contentType string, opts ...DecodeOption) (pcm.Audio, Format, error) {
	cfg := decodeConfig{maxDuration: DefaultMaxDuration}
	for _, o := range opts {
		o(&cfg)
	}
	if len(data) == 0 {
		return pcm.Audio{}, FormatUnknown, fmt.Errorf("decode: %w", ErrEmpty)
	}
	format, name := sniff(data)
	var (
		p   pcm.Audio
		err error
	)
	switch format {
	case FormatWAV:
		p, err = decodeWAV(data, cfg)
	case FormatMP3:
		p, err = decodeMP3(data, cfg)
	case FormatOggOpus:
		p, err = decodeOgg(data, cfg)
	case FormatWebMOpus:
		p, err = decodeWebM(data, cfg)
	default:
		return pcm.Audio{}, FormatUnknown, unsupported(name, contentType)
	}
	switch {
	case errors.Is(err, ErrUnsupportedFormat):
		return pcm.Audio{}, FormatUnknown, err
	case err != nil:
		return pcm.Audio{}, format, err
	case len(p.Samples) == 0:
		return pcm.Audio{}, format, fmt.Errorf("%s: %w", format, ErrEmpty)
	}
	return p, format, nil
}

// unsupported builds the error for input that is none of the accepted
// formats, naming what it looks like when the bytes say.
func unsupported(name, contentType string) error {
	if name == "" {
		name = "unrecognised bytes"
	}
	if contentType != "" {
		if len(contentType) > 64 {
			contentType = contentType[:64]
		}
		return fmt.Errorf("%w: got %s (declared %q)", ErrUnsupportedFormat, name, contentType)
	}
	return fmt.Errorf("%w: got %s", ErrUnsupportedFormat, name)
}
