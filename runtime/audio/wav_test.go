package audio

import (
	"encoding/binary"
	"errors"
	"math"
	"slices"
	"testing"

	"github.com/parleyhq/parley/runtime/pcm"
)

// wavFile builds a RIFF/WAVE file from chunks (id, body), padding odd
// bodies to even as the format requires.
func wavFile(chunks ...any) []byte {
	b := []byte("RIFF\x00\x00\x00\x00WAVE")
	for i := 0; i+1 < len(chunks); i += 2 {
		id, body := chunks[i].(string), chunks[i+1].([]byte)
		b = append(b, id...)
		b = binary.LittleEndian.AppendUint32(b, uint32(len(body)))
		b = append(b, body...)
		if len(body)%2 == 1 {
			b = append(b, 0)
		}
	}
	binary.LittleEndian.PutUint32(b[4:], uint32(len(b)-8))
	return b
}

// fmtChunk is a plain "fmt " body.
func fmtChunk(tag uint16, channels, rate, bits int) []byte {
	width := (bits + 7) / 8
	b := binary.LittleEndian.AppendUint16(nil, tag)
	b = binary.LittleEndian.AppendUint16(b, uint16(channels))
	b = binary.LittleEndian.AppendUint32(b, uint32(rate))
	b = binary.LittleEndian.AppendUint32(b, uint32(rate*channels*width))
	b = binary.LittleEndian.AppendUint16(b, uint16(channels*width))
	return binary.LittleEndian.AppendUint16(b, uint16(bits))
}

// extensibleChunk is a WAVE_FORMAT_EXTENSIBLE "fmt " body for sub-format tag.
func extensibleChunk(tag uint16, channels, rate, bits int) []byte {
	b := fmtChunk(wavExtensible, channels, rate, bits)
	b = binary.LittleEndian.AppendUint16(b, 22)           // cbSize
	b = binary.LittleEndian.AppendUint16(b, uint16(bits)) // valid bits
	b = binary.LittleEndian.AppendUint32(b, 0)            // channel mask
	b = binary.LittleEndian.AppendUint16(b, tag)
	return append(b, wavGUIDTail...)
}

func le16(v ...int16) []byte { return pcm.AppendBytesLE(nil, v) }

func TestDecodeWAVLayouts(t *testing.T) {
	f32 := func(v ...float32) []byte {
		var b []byte
		for _, x := range v {
			b = binary.LittleEndian.AppendUint32(b, math.Float32bits(x))
		}
		return b
	}
	f64 := func(v ...float64) []byte {
		var b []byte
		for _, x := range v {
			b = binary.LittleEndian.AppendUint64(b, math.Float64bits(x))
		}
		return b
	}
	tests := []struct {
		name string
		data []byte
		rate int
		want []int16
	}{
		{"odd chunk padded before data", wavFile("fmt ", fmtChunk(wavPCM, 1, 16000, 16), "junk", []byte("abc"), "LIST", []byte("INFOISFT\x01\x00\x00\x00x\x00"), "data", le16(1, -2, 3)), 16000, []int16{1, -2, 3}},
		{"chunks after data", wavFile("fmt ", fmtChunk(wavPCM, 1, 8000, 16), "data", le16(7, 8), "LIST", []byte("INFO")), 8000, []int16{7, 8}},
		{"stereo mixdown", wavFile("fmt ", fmtChunk(wavPCM, 2, 44100, 16), "data", le16(1000, 3000, -100, -300, 32767, 32767)), 44100, []int16{2000, -200, 32767}},
		{"three channels", wavFile("fmt ", fmtChunk(wavPCM, 3, 48000, 16), "data", le16(3, 6, 9)), 48000, []int16{6}},
		{"partial last frame dropped", wavFile("fmt ", fmtChunk(wavPCM, 2, 8000, 16), "data", le16(10, 20, 30)), 8000, []int16{15}},
		{"unsigned 8-bit", wavFile("fmt ", fmtChunk(wavPCM, 1, 8000, 8), "data", []byte{0, 128, 255}), 8000, []int16{-32768, 0, 32512}},
		{"24-bit", wavFile("fmt ", fmtChunk(wavPCM, 1, 16000, 24), "data", []byte{0xFF, 0xFF, 0xFF, 0x00, 0x01, 0x00, 0x00, 0x00, 0x80, 0xFF, 0xFF, 0x7F}), 16000, []int16{-1, 1, -32768, 32767}},
		{"32-bit extensible", wavFile("fmt ", extensibleChunk(wavPCM, 1, 16000, 32), "data", []byte{0, 0, 0x34, 0x12, 0, 0, 0, 0x80}), 16000, []int16{0x1234, -32768}},
		{"float32", wavFile("fmt ", fmtChunk(wavFloat, 1, 16000, 32), "data", f32(0.5, -0.25, 2, -2, float32(math.NaN()))), 16000, []int16{16384, -8192, 32767, -32768, 0}},
		{"float64 extensible", wavFile("fmt ", extensibleChunk(wavFloat, 1, 22050, 64), "data", f64(0.5, -1)), 22050, []int16{16384, -32768}},
		{"mu-law", wavFile("fmt ", fmtChunk(wavMuLaw, 1, 8000, 8), "fact", []byte{3, 0, 0, 0}, "data", []byte{0x00, 0x7F, 0x80, 0xFF}), 8000, []int16{-32124, 0, 32124, 0}},
		{"a-law", wavFile("fmt ", fmtChunk(wavALaw, 1, 8000, 8), "data", []byte{0x55, 0xD5, 0x2A, 0xAA}), 8000, []int16{-8, 8, -32256, 32256}},
	}
	streaming := wavFile("fmt ", fmtChunk(wavPCM, 1, 16000, 16), "data", le16(4, 5, 6))
	binary.LittleEndian.PutUint32(streaming[len(streaming)-10:], math.MaxUint32)
	tests = append(tests, struct {
		name string
		data []byte
		rate int
		want []int16
	}{"streaming size 0xFFFFFFFF", streaming, 16000, []int16{4, 5, 6}})

	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			p, format, err := Decode(tc.data, "")
			if err != nil {
				t.Fatal(err)
			}
			if format != FormatWAV || p.Rate != tc.rate || !slices.Equal(p.Samples, tc.want) {
				t.Errorf("got %v %d Hz %v, want wav %d Hz %v", format, p.Rate, p.Samples, tc.rate, tc.want)
			}
		})
	}
}

func TestDecodeWAVErrors(t *testing.T) {
	truncated := wavFile("fmt ", fmtChunk(wavPCM, 1, 16000, 16), "data", le16(1, 2, 3, 4))
	tests := []struct {
		name string
		data []byte
		want error
	}{
		{"data before fmt", wavFile("data", le16(1), "fmt ", fmtChunk(wavPCM, 1, 16000, 16)), ErrCorrupt},
		{"no data chunk", wavFile("fmt ", fmtChunk(wavPCM, 1, 16000, 16)), ErrCorrupt},
		{"short fmt", wavFile("fmt ", []byte{1, 0, 1, 0}, "data", le16(1)), ErrCorrupt},
		{"truncated data", truncated[:len(truncated)-3], ErrCorrupt},
		{"chunk past the end", wavFile("fmt ", fmtChunk(wavPCM, 1, 16000, 16), "LIST", []byte("INFO"))[:30], ErrCorrupt},
		{"rate too low", wavFile("fmt ", fmtChunk(wavPCM, 1, 100, 16), "data", le16(1)), ErrCorrupt},
		{"too many channels", wavFile("fmt ", fmtChunk(wavPCM, 65, 16000, 16), "data", le16(1)), ErrCorrupt},
		{"12-bit float", wavFile("fmt ", fmtChunk(wavFloat, 1, 16000, 16), "data", le16(1)), ErrUnsupportedFormat},
		{"unknown extensible GUID", wavFile("fmt ", append(extensibleChunk(wavPCM, 1, 16000, 16)[:39], 0), "data", le16(1)), ErrUnsupportedFormat},
		{"empty data", wavFile("fmt ", fmtChunk(wavPCM, 1, 16000, 16), "data", []byte{}), ErrEmpty},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if _, _, err := Decode(tc.data, ""); !errors.Is(err, tc.want) {
				t.Errorf("got %v, want %v", err, tc.want)
			}
		})
	}
}

func TestEncodeWAVRoundTrip(t *testing.T) {
	in := pcm.Audio{Samples: []int16{0, 1, -1, 32767, -32768, 1234}, Rate: 24000}
	data := EncodeWAV(in)
	if len(data) != 44+2*len(in.Samples) {
		t.Fatalf("%d bytes, want %d", len(data), 44+2*len(in.Samples))
	}
	out, format, err := Decode(data, "audio/wav")
	if err != nil {
		t.Fatal(err)
	}
	if format != FormatWAV || out.Rate != in.Rate || !slices.Equal(out.Samples, in.Samples) {
		t.Errorf("round trip gave %v %d Hz %v", format, out.Rate, out.Samples)
	}
	if got := binary.LittleEndian.Uint32(data[4:]); got != uint32(len(data)-8) {
		t.Errorf("RIFF size %d, want %d", got, len(data)-8)
	}
}
