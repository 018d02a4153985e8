package audio

import (
	"errors"
	"math/rand/v2"
	"slices"
	"testing"
)

func TestDecodeMP3Tags(t *testing.T) {
	data := readFixture(t, "hello.mp3")
	want, _, err := Decode(data, "")
	if err != nil {
		t.Fatal(err)
	}
	id3v2 := append([]byte("ID3\x04\x00\x00\x00\x00\x00\x14"), make([]byte, 20)...) // 20 bytes of frames/padding
	copy(id3v2[10:], "TIT2\x00\x00\x00\x06\x00\x00\x03hello")
	id3v1 := append([]byte("TAG"), make([]byte, 125)...)
	tests := []struct {
		name string
		data []byte
	}{
		{"id3v2 in front", slices.Concat(id3v2, data)},
		{"id3v2 with padding", slices.Concat(id3v2, make([]byte, 64), data)},
		{"id3v1 at the end", slices.Concat(data, id3v1)},
		{"zero padding at the end", slices.Concat(data, make([]byte, 100))},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got, format, err := Decode(tc.data, "")
			if err != nil {
				t.Fatal(err)
			}
			if format != FormatMP3 || !slices.Equal(got.Samples, want.Samples) {
				t.Errorf("got %v with %d samples, want the %d samples of hello.mp3", format, len(got.Samples), len(want.Samples))
			}
		})
	}
}

func TestDecodeMP3WithoutInfoFrame(t *testing.T) {
	data := readFixture(t, "hello.mp3")
	s, err := scanMP3(data)
	if err != nil {
		t.Fatal(err)
	}
	if s.delay < 0 || s.padding < 0 {
		t.Fatalf("LAME tag not found: delay %d, padding %d", s.delay, s.padding)
	}
	// Without the Info frame nothing says what to trim: every decoded
	// sample stays, and the signal sits encoder delay + decoder delay late.
	start := len(data) - len(s.audio)
	got, _, err := Decode(data[start:], "")
	if err != nil {
		t.Fatal(err)
	}
	if want := s.frames * s.samples; len(got.Samples) != want {
		t.Errorf("%d samples, want all %d", len(got.Samples), want)
	}
	trimmed, _, _ := Decode(data, "")
	lag, c := bestLag(trimmed.Samples, got.Samples, 2000)
	if lag != s.delay+mp3DecoderDelay || c < 0.99 {
		t.Errorf("untrimmed stream lags %d samples (corr %.3f), want %d", lag, c, s.delay+mp3DecoderDelay)
	}
}

func TestSniffRandomIsNotMP3(t *testing.T) {
	rng := rand.New(rand.NewPCG(5, 6))
	b := make([]byte, 512)
	for i := range 20000 {
		for j := range b {
			b[j] = byte(rng.UintN(256))
		}
		if i%2 == 0 { // half of them start with a valid frame header
			copy(b, []byte{0xFF, 0xFB, 0x50, 0x64})
		}
		if f, _ := sniff(b); f != FormatUnknown {
			t.Fatalf("random bytes % x... sniffed as %v", b[:8], f)
		}
	}
}

func TestParseMP3Header(t *testing.T) {
	tests := []struct {
		name    string
		b       []byte
		ok      bool
		rate    int
		size    int
		samples int
	}{
		{"mpeg1 128k 44.1k", []byte{0xFF, 0xFB, 0x90, 0x64}, true, 44100, 417, 1152},
		{"mpeg1 128k 44.1k padded", []byte{0xFF, 0xFB, 0x92, 0x64}, true, 44100, 418, 1152},
		{"mpeg2 48k 16k mono", []byte{0xFF, 0xF3, 0x68, 0xC4}, true, 16000, 216, 576},
		{"mpeg2.5 8k", []byte{0xFF, 0xE3, 0x18, 0xC4}, true, 8000, 72, 576},
		{"layer 2", []byte{0xFF, 0xFD, 0x90, 0x64}, false, 0, 0, 0},
		{"free format", []byte{0xFF, 0xFB, 0x00, 0x64}, false, 0, 0, 0},
		{"bad bitrate", []byte{0xFF, 0xFB, 0xF0, 0x64}, false, 0, 0, 0},
		{"reserved rate", []byte{0xFF, 0xFB, 0x9C, 0x64}, false, 0, 0, 0},
		{"reserved version", []byte{0xFF, 0xEB, 0x90, 0x64}, false, 0, 0, 0},
		{"short", []byte{0xFF, 0xFB}, false, 0, 0, 0},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			h, ok := parseMP3Header(tc.b)
			if ok != tc.ok || ok && (h.rate != tc.rate || h.size != tc.size || h.samples != tc.samples) {
				t.Errorf("got %+v, %v", h, ok)
			}
		})
	}
}

func TestDecodeMP3TruncatedFrame(t *testing.T) {
	data := readFixture(t, "hello-stereo-44k.mp3")
	if _, _, err := Decode(data[:len(data)-10], ""); !errors.Is(err, ErrCorrupt) {
		t.Errorf("got %v, want ErrCorrupt", err)
	}
}
