package speech

import (
	"math"
	"time"

	"github.com/parleyhq/parley/runtime/pcm"
)

// Envelope is the loudness of a synthetic voice at t seconds, from 0 to 1.
type Envelope func(t float64) float64

// Words is syllables at 4 Hz with a short gap every 0.8 s, like the gaps
// between words: a turn detector hears pauses inside the speech.
func Words(t float64) float64 {
	if math.Mod(t, 0.8) > 0.65 {
		return 0
	}
	return syllables(t)
}

// Syllables is syllables at 4 Hz that never fall below 0.3 of full
// loudness: one unbroken stretch of speech.
func Syllables(t float64) float64 { return 0.3 + 0.7*syllables(t) }

func syllables(t float64) float64 { return math.Pow(math.Abs(math.Sin(math.Pi*4*t)), 0.6) }

// Synth is a speech-like signal for machines without flite: a glottal
// harmonic series (f0 about 120 Hz with slow intonation) shaped by two
// formant-like peaks, its loudness following env.
func Synth(rate int, d time.Duration, env Envelope) pcm.Audio {
	n := int(d.Seconds() * float64(rate))
	out := make([]int16, n)
	phase := 0.0
	for i := range out {
		t := float64(i) / float64(rate)
		f0 := 120 + 20*math.Sin(2*math.Pi*0.7*t)
		phase += 2 * math.Pi * f0 / float64(rate)
		var v float64
		for k := 1; k*int(f0) < rate/2 && k <= 30; k++ {
			f := float64(k) * f0
			formant := math.Exp(-sq((f-700)/300)) + 0.6*math.Exp(-sq((f-1200)/400)) + 0.2
			v += formant / float64(k) * math.Sin(float64(k)*phase)
		}
		out[i] = int16(6000 * env(t) * v)
	}
	return pcm.Audio{Samples: out, Rate: rate}
}

func sq(x float64) float64 { return x * x }
