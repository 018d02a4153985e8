package audio

import (
	"bytes"
	"errors"
	"math"
	"math/rand/v2"
	"strings"
	"testing"
	"time"

	"github.com/parleyhq/parley/runtime/pcm"
)

// helloSeconds is the length of testdata/hello.wav (19760 samples at 16 kHz).
const helloSeconds = 19760.0 / 16000

var fixtures = []struct {
	file   string
	format Format
	rate   int
	lossy  bool
}{
	{"hello.wav", FormatWAV, 16000, false},
	{"hello-stereo-11k.wav", FormatWAV, 11025, false},
	{"hello-u8-44k.wav", FormatWAV, 44100, false},
	{"hello-s24.wav", FormatWAV, 16000, false},
	{"hello-s32-8k.wav", FormatWAV, 8000, false},
	{"hello-f32-8k.wav", FormatWAV, 8000, false},
	{"hello-ulaw-8k.wav", FormatWAV, 8000, false},
	{"hello-alaw-8k.wav", FormatWAV, 8000, false},
	{"hello-list-24k.wav", FormatWAV, 24000, false},
	{"hello.mp3", FormatMP3, 16000, true},
	{"hello-stereo-44k.mp3", FormatMP3, 44100, true},
	{"hello.opus", FormatOggOpus, 48000, true},
	{"hello-stereo.opus", FormatOggOpus, 48000, true},
	{"hello.webm", FormatWebMOpus, 48000, true},
	{"hello-live.webm", FormatWebMOpus, 48000, true},
	{"hello-mediarecorder.webm", FormatWebMOpus, 48000, true},
}

// reference8k is the flite original at 8 kHz, the common ground of all
// fixtures.
func reference8k(t *testing.T) []int16 {
	t.Helper()
	ref, _, err := Decode(readFixture(t, "hello.wav"), "audio/wav")
	if err != nil {
		t.Fatal(err)
	}
	ref8, err := Resample(ref, 8000)
	if err != nil {
		t.Fatal(err)
	}
	return ref8.Samples
}

// TestDecodeFixtures decodes every fixture and compares it with the WAV
// original: same length (within 5%), real speech energy, and waveform
// correlation at zero lag after resampling both to 8 kHz, which also proves
// that pre-skip, encoder delay and padding were trimmed.
func TestDecodeFixtures(t *testing.T) {
	ref := reference8k(t)
	for _, fx := range fixtures {
		t.Run(fx.file, func(t *testing.T) {
			// The content type is deliberately wrong: only the bytes count.
			p, format, err := Decode(readFixture(t, fx.file), "audio/flac")
			if err != nil {
				t.Fatal(err)
			}
			if format != fx.format || p.Rate != fx.rate {
				t.Fatalf("got %v at %d Hz, want %v at %d Hz", format, p.Rate, fx.format, fx.rate)
			}
			if d := p.Duration().Seconds(); math.Abs(d-helloSeconds)/helloSeconds > 0.05 {
				t.Errorf("duration %.3fs, want %.3fs within 5%%", d, helloSeconds)
			}
			if r := rms(p.Samples); r < 2000 {
				t.Errorf("rms %.0f: speech missing (the original has about 4700)", r)
			}
			p8, err := Resample(p, 8000)
			if err != nil {
				t.Fatal(err)
			}
			minCorr := 0.995
			if fx.lossy {
				minCorr = 0.97
			}
			lag, c := bestLag(ref, p8.Samples, 400)
			if lag < -1 || lag > 1 || c < minCorr {
				t.Errorf("against the original: best lag %d samples at 8 kHz, correlation %.4f; want |lag| <= 1 and >= %.3f", lag, c, minCorr)
			}
		})
	}
}

func TestDecodeTruncated(t *testing.T) {
	for _, fx := range fixtures {
		data := readFixture(t, fx.file)
		for _, n := range []int{len(data) / 3, len(data) * 2 / 3, len(data) - 1} {
			_, _, err := Decode(data[:n], "")
			if !errors.Is(err, ErrCorrupt) && !errors.Is(err, ErrEmpty) {
				t.Errorf("%s cut to %d of %d bytes: got %v, want ErrCorrupt or ErrEmpty", fx.file, n, len(data), err)
			}
		}
	}
}

func TestDecodeCorrupt(t *testing.T) {
	patch := func(file string, f func([]byte) []byte) []byte {
		return f(bytes.Clone(readFixture(t, file)))
	}
	tests := []struct {
		name string
		data []byte
	}{
		{"wav zero channels", patch("hello.wav", func(b []byte) []byte { b[22] = 0; return b })},
		{"wav block align", patch("hello.wav", func(b []byte) []byte { b[32] = 3; return b })},
		{"wav zero rate", patch("hello.wav", func(b []byte) []byte { copy(b[24:28], []byte{0, 0, 0, 0}); return b })},
		{"ogg flipped byte", patch("hello.opus", func(b []byte) []byte { b[len(b)/2] ^= 0x40; return b })},
		{"ogg bad capture pattern", patch("hello.opus", func(b []byte) []byte {
			i := bytes.LastIndex(b, []byte("OggS"))
			b[i] = 'X'
			return b
		})},
		{"mp3 junk between frames", patch("hello.mp3", func(b []byte) []byte {
			return append(b[:1000:1000], append([]byte("junk"), b[1000:]...)...)
		})},
		{"webm bad OpusHead", patch("hello-mediarecorder.webm", func(b []byte) []byte {
			i := bytes.Index(b, []byte("OpusHead"))
			b[i+7] = 'X'
			return b
		})},
		{"webm broken element", patch("hello-mediarecorder.webm", func(b []byte) []byte {
			i := bytes.Index(b, []byte{0x1F, 0x43, 0xB6, 0x75})
			b[i+12] = 0x00 // an invalid element ID inside the first cluster
			return b
		})},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if _, _, err := Decode(tc.data, ""); !errors.Is(err, ErrCorrupt) {
				t.Errorf("got %v, want ErrCorrupt", err)
			}
		})
	}
}

func TestDecodeUnsupported(t *testing.T) {
	rng := rand.New(rand.NewPCG(3, 4))
	random := make([]byte, 4096)
	for i := range random {
		random[i] = byte(rng.UintN(256))
	}
	head, packets, durations := oggOpusPackets(t, readFixture(t, "hello.opus"))
	adpcm := EncodeWAV(pcm.Audio{Samples: make([]int16, 100), Rate: 8000})
	adpcm[20] = 0x11
	tests := []struct {
		name, want string
		data       []byte
	}{
		{"random bytes", "unrecognised", random},
		{"flac", "FLAC", append([]byte("fLaC\x00\x00\x00\x22"), random[:100]...)},
		{"aac adts", "AAC", append([]byte{0xFF, 0xF1, 0x50, 0x80, 0x02, 0x1F, 0xFC}, random[:100]...)},
		{"m4a", "MP4", append([]byte("\x00\x00\x00\x20ftypM4A \x00\x00\x00\x00"), random[:100]...)},
		{"avi", "AVI", append([]byte("RIFF\x00\x10\x00\x00AVI LIST"), random[:100]...)},
		{"id3 then flac", "not MP3", append([]byte("ID3\x03\x00\x00\x00\x00\x00\x00fLaC"), random[:100]...)},
		{"html", "text", []byte("<html><body>502 Bad Gateway</body></html>")},
		{"wav adpcm", "0x0011", adpcm},
		{"ogg vorbis", "Vorbis", oggStream(t, 1, [][]byte{[]byte("\x01vorbis\x00\x00\x00\x00\x01\x44\xac\x00\x00")}, nil, 0)},
		{"webm vorbis", "A_VORBIS", mediaRecorderWebM(t, "A_VORBIS", head, packets[:3], durations[:3])},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			p, format, err := Decode(tc.data, "audio/whatever")
			if !errors.Is(err, ErrUnsupportedFormat) {
				t.Fatalf("got %v, want ErrUnsupportedFormat", err)
			}
			if format != FormatUnknown || len(p.Samples) != 0 {
				t.Errorf("got format %v and %d samples along with the error", format, len(p.Samples))
			}
			if msg := err.Error(); !strings.Contains(msg, tc.want) || !strings.Contains(msg, "WebM/Opus") {
				t.Errorf("message %q should name %q and the accepted formats", msg, tc.want)
			}
		})
	}
}

func TestDecodeEmpty(t *testing.T) {
	head, packets, durations := oggOpusPackets(t, readFixture(t, "hello.opus"))
	tests := []struct {
		name string
		data []byte
	}{
		{"no bytes", nil},
		{"wav without samples", EncodeWAV(pcm.Audio{Rate: 16000})},
		{"ogg with headers only", oggStream(t, 255, [][]byte{head, []byte("OpusTags\x00\x00\x00\x00\x00\x00\x00\x00")}, nil, 0)},
		{"webm without blocks", mediaRecorderWebM(t, "A_OPUS", head, nil, nil)},
		{"opus shorter than pre-skip", mediaRecorderWebM(t, "A_OPUS", preSkip(head, 4000), packets[:2], durations[:2])},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if _, _, err := Decode(tc.data, ""); !errors.Is(err, ErrEmpty) {
				t.Errorf("got %v, want ErrEmpty", err)
			}
		})
	}
}

// preSkip returns a copy of an OpusHead with another pre-skip.
func preSkip(head []byte, n int) []byte {
	h := bytes.Clone(head)
	h[10], h[11] = byte(n), byte(n>>8)
	return h
}

func TestDecodeTooLong(t *testing.T) {
	for _, fx := range fixtures {
		t.Run(fx.file, func(t *testing.T) {
			data := readFixture(t, fx.file)
			if _, _, err := Decode(data, "", WithMaxDuration(time.Second)); !errors.Is(err, ErrTooLong) {
				t.Errorf("1 s cap: got %v, want ErrTooLong", err)
			}
			if _, _, err := Decode(data, "", WithMaxDuration(2*time.Second)); err != nil {
				t.Errorf("2 s cap: %v", err)
			}
		})
	}
}

func TestFormatString(t *testing.T) {
	tests := map[Format]string{
		FormatUnknown:  "unknown",
		FormatWAV:      "wav",
		FormatMP3:      "mp3",
		FormatOggOpus:  "ogg/opus",
		FormatWebMOpus: "webm/opus",
		Format(42):     "unknown",
	}
	for f, want := range tests {
		if got := f.String(); got != want {
			t.Errorf("Format(%d).String() = %q, want %q", int(f), got, want)
		}
	}
}

func BenchmarkDecode(b *testing.B) {
	for _, file := range []string{"hello.wav", "hello.mp3", "hello.opus", "hello-mediarecorder.webm"} {
		b.Run(file, func(b *testing.B) {
			data := readFixture(b, file)
			b.SetBytes(int64(len(data)))
			b.ReportAllocs()
			for b.Loop() {
				if _, _, err := Decode(data, ""); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}
