package vad

import (
	"fmt"
	"math"
	"slices"
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
// of all voices, and for a gated model tells the share of windows Silero
// scored.
func accuracy(tb testing.TB, m Model, clips [][]int16, want [][]bool, cond condition) (result, string) {
	tb.Helper()
	var probs []float32
	var all []bool
	var ran, windows int
	for i, c := range clips {
		x := c
		if !math.IsInf(cond.snr, 1) {
			x = addNoise(c, cond.kind, cond.snr, uint64(i+1))
		}
		s := newStreamT(tb, m)
		probs = append(probs, writeAll(tb, s, x, 320)...)
		all = append(all, want[i][:len(x)/WindowSamples]...)
		if g, ok := s.(*gatedStream); ok {
			ran, windows = ran+g.ran, windows+g.windows
		}
	}
	if windows == 0 {
		return score(probs, all), ""
	}
	return score(probs, all), fmt.Sprintf("%.3f", float64(ran)/float64(windows))
}

// TestAccuracy scores the models against labels from the clean signal's
// energy, in white and pink noise at several SNRs, and logs the table:
// Silero, Silero behind the energy gate, and the energy model. The gated
// model must stay within 0.02 of Silero alone in every condition.
func TestAccuracy(t *testing.T) {
	if testing.Short() {
		t.Skip("synthesises speech")
	}
	clips, want := corpus(t)
	type named struct {
		name string
		m    Model
	}
	models := []named{{"energy", NewEnergy()}}
	if m := trySilero(t); m != nil {
		models = append([]named{{"silero", m}, {"gated", gatedT(t, m)}}, models...)
	}
	var table strings.Builder
	fmt.Fprintf(&table, "\n%-7s %-11s %8s %8s %11s %11s\n", "model", "noise", "accuracy", "recall", "false alarm", "silero ran")
	silero := map[condition]result{}
	for _, nm := range models {
		for _, c := range conditions {
			r, ran := accuracy(t, nm.m, clips, want, c.condition)
			fmt.Fprintf(&table, "%-7s %-11s %8.3f %8.3f %11.3f %11s\n", nm.name, c, r.acc, r.recall, r.falseAlarm, ran)
			bound := c.energy
			switch nm.name {
			case "silero":
				bound = c.silero
				silero[c.condition] = r
			case "gated":
				bound = c.silero
				s := silero[c.condition]
				if s.acc-r.acc > 0.02 || s.recall-r.recall > 0.02 || r.falseAlarm-s.falseAlarm > 0.02 {
					t.Errorf("gated in %s: %+v, silero alone %+v", c, r, s)
				}
			}
			if r.acc < bound {
				t.Errorf("%s in %s: accuracy %.3f, want >= %.2f", nm.name, c, r.acc, bound)
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

// conversationT is one side of a call: the corpus sentences with pauses as
// long as the speech between them (half the call silent), over a -60 dBFS
// pink noise floor.
func conversationT(tb testing.TB) []int16 {
	tb.Helper()
	var x []int16
	for _, voice := range []string{"slt", "rms", "awb"} {
		for _, text := range sentences {
			s := speech(tb, voice, text)
			x = append(x, s...)
			x = append(x, make([]int16, len(s))...)
		}
	}
	return mix(x, makeNoise(pink, len(x), 11), math.Pow(10, -60.0/10)*32768*32768)
}

// gatedT puts the Silero model m behind the default energy gate. Closing
// it closes m, which openSileroT closes again: that is allowed.
func gatedT(tb testing.TB, m Model) Model {
	tb.Helper()
	g := newGated(m.(*sileroModel), newEnergyModel(defaultEnergy), defaultGate)
	tb.Cleanup(func() { _ = g.Close() })
	return g
}

// TestGatedSkipsSilence scores a call half silent over a -60 dBFS noise
// floor: Silero must run on the speech and its ends only, never more
// than 0.5 s away from speech, and the gated stream must stay as accurate
// as Silero alone.
func TestGatedSkipsSilence(t *testing.T) {
	if testing.Short() {
		t.Skip("synthesises speech")
	}
	sm := openSileroT(t)
	x := conversationT(t)
	want := labels(x)
	s := newStreamT(t, gatedT(t, sm)).(*gatedStream)
	var probs []float32
	var silence, silenceRan, far, farRan int
	for i, speech := range want {
		p, err := s.Write(x[i*WindowSamples : (i+1)*WindowSamples])
		if err != nil {
			t.Fatal(err)
		}
		probs = append(probs, p...)
		if speech {
			continue
		}
		silence++
		if s.running {
			silenceRan++
		}
		if !slices.Contains(want[max(0, i-16):min(len(want), i+17)], true) {
			far++
			if s.running {
				farRan++
			}
		}
	}
	ran := float64(s.ran) / float64(s.windows)
	t.Logf("speech %.3f of the windows; silero ran on %.3f of all, %.3f of the silent ones, %.3f of those 0.5 s from speech",
		1-float64(silence)/float64(len(want)), ran, float64(silenceRan)/float64(silence), float64(farRan)/float64(far))
	if ran > 0.6 || farRan > 0 {
		t.Errorf("silero ran on %.3f of the windows and %d far from speech", ran, farRan)
	}
	g, alone := score(probs, want), score(scoreAll(t, sm, x), want)
	if alone.acc-g.acc > 0.02 || alone.recall-g.recall > 0.02 {
		t.Errorf("gated %+v, silero alone %+v", g, alone)
	}
}
