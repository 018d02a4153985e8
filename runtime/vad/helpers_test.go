package vad

import (
	"math"
	"math/rand/v2"
	"os"
	"path/filepath"
	"sync"
	"testing"

	"github.com/parleyhq/parley/internal/flite"
	"github.com/parleyhq/parley/runtime/audio"
)

// assetDir returns the directory holding libonnxruntime.so.1 and
// silero_vad.onnx ($PARLEY_VAD_DIR, else bin/vad of the repository), or
// skips the test.
func assetDir(tb testing.TB) string {
	tb.Helper()
	dir, err := findAssets()
	if err != nil {
		tb.Skipf("silero assets missing (%v): run scripts/vad-assets.sh bin/vad or set PARLEY_VAD_DIR", err)
	}
	return dir
}

func findAssets() (string, error) {
	dir := os.Getenv("PARLEY_VAD_DIR")
	if dir == "" {
		dir = filepath.Join("..", "..", "bin", "vad")
	}
	for _, f := range []string{"libonnxruntime.so.1", "silero_vad.onnx"} {
		if _, err := os.Stat(filepath.Join(dir, f)); err != nil {
			return "", err
		}
	}
	return dir, nil
}

// openSileroT opens Silero from assetDir and closes it after the test.
func openSileroT(tb testing.TB) Model {
	tb.Helper()
	dir := assetDir(tb)
	m, err := Open(filepath.Join(dir, "libonnxruntime.so.1"), filepath.Join(dir, "silero_vad.onnx"))
	if err != nil {
		tb.Fatalf("Open: %v", err)
	}
	tb.Cleanup(func() {
		if err := m.Close(); err != nil {
			tb.Errorf("Close: %v", err)
		}
	})
	return m
}

func newStreamT(tb testing.TB, m Model) Stream {
	tb.Helper()
	s, err := m.NewStream()
	if err != nil {
		tb.Fatalf("NewStream: %v", err)
	}
	tb.Cleanup(func() { _ = s.Close() })
	return s
}

// sentences are synthesised with flite; each clip is one sentence.
var sentences = []string{
	"Hello, I would like to check the status of my order please.",
	"The delivery was supposed to arrive on Tuesday, but nothing came.",
	"Could you send me a new invoice to my email address?",
	"Thanks, that is all I needed today. Goodbye.",
}

var speechCache sync.Map // voice+text -> []int16

// speech returns text spoken by a flite voice at 16 kHz, or skips.
func speech(tb testing.TB, voice, text string) []int16 {
	tb.Helper()
	if v, ok := speechCache.Load(voice + text); ok {
		return v.([]int16)
	}
	if !flite.Installed() {
		tb.Skip("flite not installed (Debian: apt-get install flite)")
	}
	pcm, err := flite.Speak(voice, text)
	if err != nil {
		tb.Fatal(err)
	}
	if pcm, err = audio.Resample(pcm, SampleRate); err != nil {
		tb.Fatal(err)
	}
	speechCache.Store(voice+text, pcm.Samples)
	return pcm.Samples
}

// dialogue is clips separated and surrounded by pause seconds of digital
// silence, the shape of a caller's side of a call.
func dialogue(clips [][]int16, pause float64) []int16 {
	gap := make([]int16, int(pause*SampleRate))
	out := append([]int16(nil), gap...)
	for _, c := range clips {
		out = append(out, c...)
		out = append(out, gap...)
	}
	return out
}

func windowPower(x []int16) float64 {
	var sum float64
	for _, v := range x {
		sum += float64(v) * float64(v)
	}
	return sum / float64(len(x))
}

// labels marks a window as speech when the clean signal's power is within
// 40 dB of its loudest window: the reference the detectors are scored on.
func labels(clean []int16) []bool {
	n := len(clean) / WindowSamples
	pow := make([]float64, n)
	peak := 0.0
	for i := range pow {
		pow[i] = windowPower(clean[i*WindowSamples : (i+1)*WindowSamples])
		peak = max(peak, pow[i])
	}
	out := make([]bool, n)
	for i, p := range pow {
		out[i] = p > peak*1e-4
	}
	return out
}

// noiseKind is the colour of the noise addNoise adds.
type noiseKind int

const (
	white noiseKind = iota
	pink            // -3 dB per octave, closer to room and road noise
)

func (k noiseKind) String() string { return [...]string{"white", "pink"}[k] }

// makeNoise returns n samples of Gaussian noise of a kind, at unit power.
func makeNoise(kind noiseKind, n int, seed uint64) []float64 {
	rng := rand.New(rand.NewPCG(seed, 1))
	out := make([]float64, n)
	var b [7]float64 // Paul Kellet's pink filter
	var power float64
	for i := range out {
		w := rng.NormFloat64()
		if kind == pink {
			b[0] = 0.99886*b[0] + w*0.0555179
			b[1] = 0.99332*b[1] + w*0.0750759
			b[2] = 0.96900*b[2] + w*0.1538520
			b[3] = 0.86650*b[3] + w*0.3104856
			b[4] = 0.55000*b[4] + w*0.5329522
			b[5] = -0.7616*b[5] - w*0.0168980
			w, b[6] = b[0]+b[1]+b[2]+b[3]+b[4]+b[5]+b[6]+w*0.5362, w*0.115926
		}
		out[i] = w
		power += w * w
	}
	g := 1 / math.Sqrt(power/float64(n))
	for i := range out {
		out[i] *= g
	}
	return out
}

// mix returns x plus noise scaled to the given power, clipped to 16 bits.
func mix(x []int16, noise []float64, power float64) []int16 {
	g := math.Sqrt(power)
	out := make([]int16, len(x))
	for i, v := range x {
		out[i] = int16(max(-32768, min(32767, math.Round(float64(v)+noise[i]*g))))
	}
	return out
}

// addNoise returns clean plus noise of a kind at snrDB below the power of
// the clean speech windows (the active speech level).
func addNoise(clean []int16, kind noiseKind, snrDB float64, seed uint64) []int16 {
	var sp float64
	var n int
	for i, speech := range labels(clean) {
		if speech {
			sp += windowPower(clean[i*WindowSamples : (i+1)*WindowSamples])
			n++
		}
	}
	return mix(clean, makeNoise(kind, len(clean), seed), sp/float64(max(n, 1))/math.Pow(10, snrDB/10))
}

// scoreAll writes x through a fresh stream of m in 20 ms frames.
func scoreAll(tb testing.TB, m Model, x []int16) []float32 {
	tb.Helper()
	s := newStreamT(tb, m)
	var probs []float32
	for i := 0; i < len(x); i += 320 {
		p, err := s.Write(x[i:min(i+320, len(x))])
		if err != nil {
			tb.Fatalf("Write: %v", err)
		}
		probs = append(probs, p...)
	}
	return probs
}

// result is a detector's agreement with the labels at threshold 0.5.
type result struct {
	acc, recall, falseAlarm float64
}

func score(probs []float32, want []bool) result {
	var ok, sp, hit, sil, fa int
	for i, w := range want[:min(len(want), len(probs))] {
		got := probs[i] >= 0.5
		if got == w {
			ok++
		}
		if w {
			sp++
			if got {
				hit++
			}
		} else {
			sil++
			if got {
				fa++
			}
		}
	}
	return result{
		acc:        float64(ok) / float64(max(sp+sil, 1)),
		recall:     float64(hit) / float64(max(sp, 1)),
		falseAlarm: float64(fa) / float64(max(sil, 1)),
	}
}
