package audio

import (
	"bytes"
	"errors"
	"fmt"
	"io"

	"github.com/hajimehoshi/go-mp3"

	"github.com/parleyhq/parley/runtime/pcm"
)

// mp3DecoderDelay is the delay of the MP3 synthesis filter bank, which
// gapless players drop on top of the encoder delay in the LAME tag.
const mp3DecoderDelay = 529

// decodeMP3 checks the frame layout itself (so truncation is an error and
// the length is known before decoding), then decodes with go-mp3, which
// always yields 16-bit stereo, and mixes down to mono.
func decodeMP3(data []byte, cfg decodeConfig) (p pcm.Audio, err error) {
	s, err := scanMP3(data)
	if err != nil {
		return pcm.Audio{}, err
	}
	total := s.frames * s.samples
	if total > cfg.maxSamples(s.rate) {
		return pcm.Audio{}, fmt.Errorf("mp3: %d samples at %d Hz exceed %v: %w", total, s.rate, cfg.maxDuration, ErrTooLong)
	}
	if s.frames == 0 {
		return pcm.Audio{}, fmt.Errorf("mp3: no audio frames: %w", ErrEmpty)
	}
	// go-mp3 is not hardened against hostile input; a panic in it is
	// reported as corrupt input instead of taking the caller down.
	defer func() {
		if r := recover(); r != nil {
			p, err = pcm.Audio{}, fmt.Errorf("mp3: decoder failed: %v: %w", r, ErrCorrupt)
		}
	}()
	dec, err := mp3.NewDecoder(bytes.NewReader(s.audio))
	if err != nil {
		return pcm.Audio{}, fmt.Errorf("mp3: %w: %w", err, ErrCorrupt)
	}
	out := make([]int16, 0, total)
	buf := make([]byte, 4*1152*4)
	frame := make([]int16, 0, len(buf)/2)
	for len(out) < total {
		n, err := dec.Read(buf)
		frame, _ = pcm.AppendSamplesLE(frame[:0], buf[:n&^3])
		out = Downmix(out, frame, 2)
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			return pcm.Audio{}, fmt.Errorf("mp3: sample %d: %w: %w", len(out), err, ErrCorrupt)
		}
	}
	out = out[:min(len(out), total)]
	if s.delay >= 0 {
		skip := min(s.delay+mp3DecoderDelay, len(out))
		end := max(skip, min(len(out), total-s.padding+mp3DecoderDelay))
		out = out[skip:end]
	}
	return pcm.Audio{Samples: out, Rate: s.rate}, nil
}
