package vad

import (
	"fmt"
	"math"
	"strings"
	"testing"
)

// condition is the noise added to the corpus; snr +Inf is the clean signal.
type condition struct {
	kind noiseKind
	snr  float64
}

func (c condition) String() string {
	if math.IsInf(c.snr, 1) {
		return "clean"
	}
	return fmt.Sprintf("%s %gdB", c.kind, c.snr)
}

// conditions are scored in this order, with a lower bound on the accuracy
// of each model: loose bounds that catch a broken detector (wrong scaling,
// lost state, no noise tracking), not a small regression.
var conditions = []struct {
	condition
	silero, energy float64
}{
	{condition{white, math.Inf(1)}, 0.9, 0.85},
	{condition{white, 20}, 0.9, 0.85},
	{condition{white, 10}, 0.85, 0.8},
	{condition{white, 3}, 0.85, 0.75},
	{condition{white, 0}, 0.8, 0.7},
	{condition{pink, 10}, 0.85, 0.75},
	{condition{pink, 3}, 0.8, 0.65},
	{condition{pink, 0}, 0.75, 0.6},
}

// corpus is the four sentences spoken by each voice, with 1 s of silence
// around each, and the window labels of the clean signal.
func corpus(tb testing.TB) (clips [][]int16, want [][]bool) {
	tb.Helper()
	for _, voice := range []string{"slt", "rms", "awb"} {
		var c [][]int16
		for _, text := range sentences {
			c = append(c, speech(tb, voice, text))
		}
		d := dialogue(c, 1)
		clips = append(clips, d)
		want = append(want, labels(d))
	}
	return clips, want
}

// accuracy scores m on the corpus in one condition, pooling the windows
// of all voices.
func accuracy(tb testing.TB, m Model, clips [][]int16, want [][]bool, cond condition) result {
	tb.Helper()
	var probs []float32
	var all []bool
	for i, c := range clips {
		x := c
		if !math.IsInf(cond.snr, 1) {
			x = addNoise(c, cond.kind, cond.snr, uint64(i+1))
		}
		probs = append(probs, scoreAll(tb, m, x)...)
		all = append(all, want[i][:len(x)/WindowSamples]...)
	}
	return score(probs, all)
}

// TestAccuracy scores both models against labels from the clean signal's
// energy, in white and pink noise at several SNRs, and logs the table.
func TestAccuracy(t *testing.T) {
	if testing.Short() {
		t.Skip("synthesises speech")
	}
	clips, want := corpus(t)
	models := []Model{NewEnergy()}
	if m := trySilero(t); m != nil {
		models = append([]Model{m}, models...)
	}
	var table strings.Builder
	fmt.Fprintf(&table, "\n%-7s %-11s %8s %8s %11s\n", "model", "noise", "accuracy", "recall", "false alarm")
	for _, m := range models {
		for _, c := range conditions {
			r := accuracy(t, m, clips, want, c.condition)
			fmt.Fprintf(&table, "%-7s %-11s %8.3f %8.3f %11.3f\n", m.Name(), c, r.acc, r.recall, r.falseAlarm)
			bound := c.energy
			if m.Name() == "silero" {
				bound = c.silero
			}
			if r.acc < bound {
				t.Errorf("%s in %s: accuracy %.3f, want >= %.2f", m.Name(), c, r.acc, bound)
			}
		}
	}
	t.Log(table.String())
}

// trySilero opens Silero if its assets are present, or logs why not.
func trySilero(t *testing.T) Model {
	t.Helper()
	if _, err := findAssets(); err != nil {
		t.Logf("silero not scored: %v", err)
		return nil
	}
	return openSileroT(t)
}

// TestNoiseOnly feeds 5 s of steady noise at -30 dBFS and no speech:
// after the energy model's first second of learning, neither model may
// call it speech.
func TestNoiseOnly(t *testing.T) {
	models := []Model{NewEnergy()}
	if m := trySilero(t); m != nil {
		models = append(models, m)
	}
	silence := make([]int16, 5*SampleRate)
	for _, kind := range []noiseKind{white, pink} {
		noise := mix(silence, makeNoise(kind, len(silence), 7), math.Pow(10, -30.0/10)*32768*32768)
		for _, m := range models {
			probs := scoreAll(t, m, noise)
			var fa int
			for _, p := range probs[SampleRate/WindowSamples:] {
				if p >= 0.5 {
					fa++
				}
			}
			if rate := float64(fa) / float64(len(probs)); rate > 0.05 {
				t.Errorf("%s: %.0f%% of %s noise windows scored speech", m.Name(), 100*rate, kind)
			}
		}
	}
}
