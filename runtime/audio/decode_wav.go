package audio

import (
	"encoding/binary"
	"fmt"
	"math"

	"github.com/parleyhq/parley/runtime/pcm"
)

// WAVE format tags.
const (
	wavPCM        = 0x0001
	wavFloat      = 0x0003
	wavALaw       = 0x0006
	wavMuLaw      = 0x0007
	wavExtensible = 0xFFFE
)

// wavGUIDTail is the part of a KSDATAFORMAT_SUBTYPE GUID after the format tag.
const wavGUIDTail = "\x00\x00\x00\x00\x10\x00\x80\x00\x00\xAA\x00\x38\x9B\x71"

// maxWAVChannels bounds the channel count (and the sum in the mixdown).
const maxWAVChannels = 64

// wavFormat is the content of a "fmt " chunk.
type wavFormat struct {
	tag      uint16
	channels int
	rate     int
	width    int // bytes per sample of one channel
}

// decodeWAV parses a RIFF/WAVE file: chunks in any order before "data",
// odd-sized chunks padded to even, unknown chunks (LIST, fact ...) skipped.
func decodeWAV(data []byte, cfg decodeConfig) (pcm.Audio, error) {
	var (
		f       wavFormat
		haveFmt bool
	)
	for off := 12; ; {
		if off+8 > len(data) {
			return pcm.Audio{}, fmt.Errorf("wav: no data chunk: %w", ErrCorrupt)
		}
		id := string(data[off : off+4])
		rawSize := binary.LittleEndian.Uint32(data[off+4:])
		size := int(rawSize)
		body := off + 8
		avail := len(data) - body
		if id == "data" {
			if !haveFmt {
				return pcm.Audio{}, fmt.Errorf("wav: data chunk before fmt chunk: %w", ErrCorrupt)
			}
			if size > avail {
				// Streaming writers leave the size at 0xFFFFFFFF.
				if rawSize != math.MaxUint32 {
					return pcm.Audio{}, fmt.Errorf("wav: data chunk declares %d bytes, %d present: %w", size, avail, ErrCorrupt)
				}
				size = avail
			}
			return f.decode(data[body:body+size], cfg)
		}
		if size > avail {
			return pcm.Audio{}, fmt.Errorf("wav: %q chunk declares %d bytes, %d present: %w", id, size, avail, ErrCorrupt)
		}
		if id == "fmt " {
			var err error
			if f, err = parseWAVFormat(data[body : body+size]); err != nil {
				return pcm.Audio{}, err
			}
			haveFmt = true
		}
		off = body + size + size&1
	}
}

func parseWAVFormat(b []byte) (wavFormat, error) {
	if len(b) < 16 {
		return wavFormat{}, fmt.Errorf("wav: fmt chunk of %d bytes: %w", len(b), ErrCorrupt)
	}
	f := wavFormat{
		tag:      binary.LittleEndian.Uint16(b),
		channels: int(binary.LittleEndian.Uint16(b[2:])),
		rate:     int(binary.LittleEndian.Uint32(b[4:])),
	}
	blockAlign := int(binary.LittleEndian.Uint16(b[12:]))
	bits := int(binary.LittleEndian.Uint16(b[14:]))
	if f.tag == wavExtensible {
		if len(b) < 40 || string(b[26:40]) != wavGUIDTail {
			return wavFormat{}, fmt.Errorf("wav: extensible fmt chunk without a known sub-format: %w", ErrUnsupportedFormat)
		}
		f.tag = binary.LittleEndian.Uint16(b[24:])
	}
	if f.channels < 1 || f.channels > maxWAVChannels || f.rate < 1000 || f.rate > maxRate || bits == 0 || f.channels*((bits+7)/8) != blockAlign {
		return wavFormat{}, fmt.Errorf("wav: %d channels, %d Hz, %d bits, block align %d: %w", f.channels, f.rate, bits, blockAlign, ErrCorrupt)
	}
	f.width = blockAlign / f.channels
	ok := false
	switch f.tag {
	case wavPCM:
		ok = f.width >= 1 && f.width <= 4
	case wavFloat:
		ok = f.width == 4 || f.width == 8
	case wavALaw, wavMuLaw:
		ok = f.width == 1
	}
	if !ok {
		return wavFormat{}, fmt.Errorf("wav: format tag 0x%04x with %d-bit samples: %w", f.tag, bits, ErrUnsupportedFormat)
	}
	return f, nil
}

// decode converts interleaved frames to mono 16-bit samples; a trailing
// partial frame is ignored.
func (f wavFormat) decode(b []byte, cfg decodeConfig) (pcm.Audio, error) {
	frames := len(b) / (f.channels * f.width)
	if frames > cfg.maxSamples(f.rate) {
		return pcm.Audio{}, fmt.Errorf("wav: %d samples at %d Hz exceed %v: %w", frames, f.rate, cfg.maxDuration, ErrTooLong)
	}
	sample := f.sampleFunc()
	out := make([]int16, frames)
	for i := range out {
		frame := b[i*f.channels*f.width:]
		var sum int32
		for c := range f.channels {
			sum += sample(frame[c*f.width:])
		}
		out[i] = int16(sum / int32(f.channels))
	}
	return pcm.Audio{Samples: out, Rate: f.rate}, nil
}

// sampleFunc returns the reader of one sample, scaled to 16 bits.
func (f wavFormat) sampleFunc() func([]byte) int32 {
	switch {
	case f.tag == wavALaw:
		return func(b []byte) int32 { return int32(alawToLinear(b[0])) }
	case f.tag == wavMuLaw:
		return func(b []byte) int32 { return int32(ulawToLinear(b[0])) }
	case f.tag == wavFloat && f.width == 4:
		return func(b []byte) int32 { return floatTo16(float64(math.Float32frombits(binary.LittleEndian.Uint32(b)))) }
	case f.tag == wavFloat:
		return func(b []byte) int32 { return floatTo16(math.Float64frombits(binary.LittleEndian.Uint64(b))) }
	case f.width == 1: // 8-bit WAV is unsigned
		return func(b []byte) int32 { return (int32(b[0]) - 128) << 8 }
	case f.width == 2:
		return func(b []byte) int32 { return int32(int16(binary.LittleEndian.Uint16(b))) }
	case f.width == 3:
		return func(b []byte) int32 { return int32(int8(b[2]))<<8 | int32(b[1]) }
	default:
		return func(b []byte) int32 { return int32(int16(binary.LittleEndian.Uint16(b[2:]))) }
	}
}

func floatTo16(v float64) int32 {
	switch {
	case v != v: // NaN
		return 0
	case v >= 1:
		return math.MaxInt16
	case v <= -1:
		return math.MinInt16
	default:
		return int32(math.Round(v * 32768))
	}
}
