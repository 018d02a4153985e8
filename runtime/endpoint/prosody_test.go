package endpoint

import (
	"math"
	"math/rand/v2"
	"testing"
	"time"
)

const testRate = 16000

// voice synthesises a vowel-like sound: five harmonics of a pitch that
// follows f0(t) Hz, at a loudness that follows amp(t) (0-1), for dur.
func voice(dur time.Duration, f0, amp func(t float64) float64) []int16 {
	n := int(dur.Seconds() * testRate)
	out := make([]int16, n)
	phase := 0.0
	for i := range out {
		t := float64(i) / testRate
		phase += 2 * math.Pi * f0(t) / testRate
		var v float64
		for h := 1.0; h <= 5; h++ {
			v += math.Sin(h*phase) / h
		}
		out[i] = int16(9000 * amp(t) * v / 2.3)
	}
	return out
}

func constant(v float64) func(float64) float64 { return func(float64) float64 { return v } }

// glide goes from a to b linearly over the last span seconds of total.
func glide(total, span, a, b float64) func(float64) float64 {
	return func(t float64) float64 {
		if t < total-span {
			return a
		}
		return a + (b-a)*(t-(total-span))/span
	}
}

// syllables is an amplitude that beats at rate syllables a second (sin²
// of half the rate).
func syllables(rate float64) func(float64) float64 {
	return func(t float64) float64 { return 0.15 + 0.85*math.Pow(math.Sin(math.Pi*rate*t), 2) }
}

func TestAnalysePitchContours(t *testing.T) {
	const total = 1.2
	d := time.Duration(total * float64(time.Second))
	tests := []struct {
		name      string
		f0, amp   func(float64) float64
		wantSlope func(float64) bool
		wantCue   func(Cue) bool
	}{
		{
			name:      "falling pitch and loudness: a statement's end",
			f0:        glide(total, 0.3, 200, 140),
			amp:       glide(total, 0.3, 1, 0.3),
			wantSlope: func(s float64) bool { return s < -10 },
			wantCue:   func(c Cue) bool { return c >= 0.6 },
		},
		{
			name:      "rising pitch: a question, or a continuation",
			f0:        glide(total, 0.3, 150, 220),
			amp:       constant(1),
			wantSlope: func(s float64) bool { return s > 10 },
			wantCue:   func(c Cue) bool { return c > 0 && c < 0.5 },
		},
		{
			name:      "a held, level syllable: hesitation",
			f0:        constant(160),
			amp:       constant(0.8),
			wantSlope: func(s float64) bool { return math.Abs(s) < 2 },
			wantCue:   func(c Cue) bool { return c == Unfinished },
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p := Analyse(voice(d, tt.f0, tt.amp), testRate)
			if !p.Pitched {
				t.Fatalf("no pitch found: %+v", p)
			}
			if !tt.wantSlope(p.PitchSlope) {
				t.Errorf("pitch slope %.1f st/s", p.PitchSlope)
			}
			if c := p.Cue(); !tt.wantCue(c) {
				t.Errorf("cue %v for %+v", c, p)
			}
		})
	}
}

func TestAnalyseReadsThePitchAnyVoice(t *testing.T) {
	// A level tone's slope is level whatever its pitch, from a low male
	// voice to a child's: no octave errors.
	for _, f0 := range []float64{85, 120, 180, 260, 350} {
		p := Analyse(voice(800*time.Millisecond, constant(f0), constant(1)), testRate)
		if !p.Pitched || math.Abs(p.PitchSlope) > 2 {
			t.Errorf("%v Hz: %+v", f0, p)
		}
	}
}

func TestAnalyseEnergy(t *testing.T) {
	// Loudness fading by 20 dB over the last 300 ms.
	fade := func(t float64) float64 {
		if t < 0.9 {
			return 1
		}
		return math.Pow(10, -20*(t-0.9)/0.3/20)
	}
	p := Analyse(voice(1200*time.Millisecond, glide(1.2, 0.3, 200, 150), fade), testRate)
	if p.EnergySlope > -40 {
		t.Errorf("energy slope %.1f dB/s, want about -67", p.EnergySlope)
	}
	// Trailing silence is not the end of the speech.
	withSilence := append(voice(time.Second, constant(150), constant(1)), make([]int16, testRate/2)...)
	if p := Analyse(withSilence, testRate); math.Abs(p.EnergySlope) > 10 || !p.Pitched {
		t.Errorf("with trailing silence: %+v", p)
	}
}

func TestAnalyseSpeechRate(t *testing.T) {
	for _, rate := range []float64{3, 5, 7} {
		p := Analyse(voice(2*time.Second, constant(150), syllables(rate)), testRate)
		if math.Abs(p.Rate-rate) > 1 {
			t.Errorf("%v syllables/s: measured %.2f", rate, p.Rate)
		}
	}
	// Under a second of sound says nothing.
	if p := Analyse(voice(600*time.Millisecond, constant(150), syllables(4)), testRate); p.Rate != 0 {
		t.Errorf("rate from 0.6 s: %.2f", p.Rate)
	}
}

func TestAnalyseNoiseAndSilence(t *testing.T) {
	if p := Analyse(make([]int16, testRate), testRate); p != (Prosody{}) {
		t.Errorf("silence: %+v", p)
	}
	rng := rand.New(rand.NewPCG(1, 2))
	noise := make([]int16, testRate)
	for i := range noise {
		noise[i] = int16(rng.NormFloat64() * 3000)
	}
	if p := Analyse(noise, testRate); p.Pitched || p.Cue() != Unknown {
		t.Errorf("white noise: %+v cue %v", p, p.Cue())
	}
	for _, n := range []int{0, 1, 100} {
		_ = Analyse(make([]int16, n), testRate) // short input does not panic
	}
	if p := Analyse(noise, 4000); p != (Prosody{}) {
		t.Errorf("unsupported rate: %+v", p)
	}
}

func BenchmarkAnalyse(b *testing.B) {
	speech := voice(time.Second, glide(1, 0.3, 200, 140), syllables(2))
	for b.Loop() {
		Analyse(speech, testRate)
	}
}
