package audio

import (
	"encoding/binary"
	"fmt"
	"math"

	"gopkg.in/hraban/opus.v2"

	"github.com/parleyhq/parley/runtime/pcm"
)

const (
	opusRate     = 48000
	opusMaxFrame = 5760 // 120 ms at 48 kHz, the longest Opus packet
)

// opusHead is the identification header of an Opus stream (RFC 7845 5.1),
// carried by the first Ogg packet or the WebM CodecPrivate.
type opusHead struct {
	channels int
	preSkip  int
	gain     int16 // Q7.8 dB
}

func parseOpusHead(b []byte) (opusHead, error) {
	if len(b) < 19 || string(b[:8]) != "OpusHead" {
		return opusHead{}, fmt.Errorf("opus: header of %d bytes without OpusHead magic: %w", len(b), ErrCorrupt)
	}
	if b[8]>>4 != 0 {
		return opusHead{}, fmt.Errorf("opus: header version %d: %w", b[8], ErrUnsupportedFormat)
	}
	h := opusHead{
		channels: int(b[9]),
		preSkip:  int(binary.LittleEndian.Uint16(b[10:])),
		gain:     int16(binary.LittleEndian.Uint16(b[16:])),
	}
	if h.channels == 0 {
		return opusHead{}, fmt.Errorf("opus: header with 0 channels: %w", ErrCorrupt)
	}
	switch family := b[18]; {
	case family == 0 && h.channels <= 2:
	case family == 0:
		return opusHead{}, fmt.Errorf("opus: %d channels in mapping family 0: %w", h.channels, ErrCorrupt)
	case family == 1 && h.channels <= 2 && len(b) >= 21 && b[19] == 1:
		// One stream, like family 0.
	default:
		return opusHead{}, fmt.Errorf("opus: %d channels in mapping family %d (multistream): %w", h.channels, family, ErrUnsupportedFormat)
	}
	return h, nil
}

// opusStream decodes the packets of one Opus stream to 48 kHz mono (libopus
// mixes stereo down), dropping the pre-skip and stopping at a sample cap.
type opusStream struct {
	dec     *opus.Decoder
	frame   []int16
	samples []int16
	skip    int // pre-skip still to drop
	decoded int // samples decoded, pre-skip included
	max     int
	gain    float64
}

func newOpusStream(h opusHead, maxSamples int) (*opusStream, error) {
	dec, err := opus.NewDecoder(opusRate, 1)
	if err != nil {
		return nil, fmt.Errorf("opus: %w", err)
	}
	return &opusStream{
		dec:   dec,
		frame: make([]int16, opusMaxFrame),
		skip:  h.preSkip,
		max:   maxSamples,
		gain:  math.Pow(10, float64(h.gain)/(256*20)),
	}, nil
}

// decode decodes one packet and returns how many samples it added (after
// the pre-skip). An empty packet is skipped.
func (s *opusStream) decode(packet []byte) (int, error) {
	if len(packet) == 0 {
		return 0, nil
	}
	n, err := s.dec.Decode(packet, s.frame)
	if err != nil {
		return 0, fmt.Errorf("opus: %w: %w", err, ErrCorrupt)
	}
	s.decoded += n
	out := s.frame[:n]
	k := min(s.skip, n)
	out, s.skip = out[k:], s.skip-k
	if len(s.samples)+len(out) > s.max {
		return 0, fmt.Errorf("opus: longer than %d samples: %w", s.max, ErrTooLong)
	}
	s.samples = append(s.samples, out...)
	return len(out), nil
}

// trimEnd drops n samples from the end.
func (s *opusStream) trimEnd(n int) {
	s.samples = s.samples[:len(s.samples)-min(max(n, 0), len(s.samples))]
}

// pcm returns the decoded audio with the header's output gain applied.
func (s *opusStream) pcm() pcm.Audio {
	if s.gain != 1 {
		for i, v := range s.samples {
			s.samples[i] = int16(max(math.MinInt16, min(math.MaxInt16, math.Round(float64(v)*s.gain))))
		}
	}
	return pcm.Audio{Samples: s.samples, Rate: opusRate}
}
