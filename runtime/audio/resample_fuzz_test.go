package audio

import (
	"errors"
	"slices"
	"testing"

	"github.com/parleyhq/parley/runtime/pcm"
)

// FuzzResample checks any rate pair with any signal fed in chunks of any
// size: NewResampler either refuses the pair with ErrInvalidRate or gives
// a Resampler whose output, after Flush, is exactly ceil(n*to/from)
// samples, the same whatever the chunking, and the input itself when the
// rates match.
func FuzzResample(f *testing.F) {
	pairs := [][2]int{
		{48000, 16000}, {16000, 48000}, {8000, 16000}, {22050, 48000}, {44100, 16000},
		{24000, 16000}, {11025, 8000}, {16000, 16000}, {44101, 16000}, {1, 768000}, {768000, 1000},
		{0, 16000}, {48000, 48007}, {96000, 8000},
	}
	for i, p := range pairs {
		sig := make([]byte, 64*(i+1))
		for j := range sig {
			sig[j] = byte(j * (i + 3))
		}
		f.Add(uint32(p[0]), uint32(p[1]), uint16(7+i*13), sig)
	}
	f.Fuzz(func(t *testing.T, from, to uint32, chunk uint16, data []byte) {
		if len(data) > 1<<13 {
			data = data[:1<<13]
		}
		in, _ := pcm.AppendSamplesLE(nil, data[:len(data)&^1])
		r, err := NewResampler(int(from), int(to))
		if err != nil {
			if !errors.Is(err, ErrInvalidRate) {
				t.Fatalf("NewResampler(%d, %d): %v is not ErrInvalidRate", from, to, err)
			}
			if from >= 1 && from <= maxRate && to >= 1 && to <= maxRate && from == to {
				t.Fatalf("NewResampler(%d, %d) refused equal rates: %v", from, to, err)
			}
			return
		}
		var out []int16
		step := max(int(chunk), 1)
		for s := in; len(s) > 0; {
			k := min(step, len(s))
			out = r.Process(s[:k], out)
			s = s[k:]
		}
		out = r.Flush(out)
		if from == to {
			if !slices.Equal(out, in) {
				t.Fatalf("%d -> %d Hz changed the signal", from, to)
			}
			return
		}
		want := (int64(len(in))*int64(to) + int64(from) - 1) / int64(from)
		if int64(len(out)) != want {
			t.Fatalf("%d -> %d Hz: %d samples in, %d out, want %d", from, to, len(in), len(out), want)
		}
		whole, err := Resample(pcm.Audio{Samples: in, Rate: int(from)}, int(to))
		if err != nil {
			t.Fatalf("Resample: %v", err)
		}
		if !slices.Equal(whole.Samples, out) {
			t.Fatalf("%d -> %d Hz in chunks of %d differs from one go", from, to, step)
		}
	})
}
