package audio

import (
	"errors"
	"fmt"
	"math"
	"math/rand/v2"
	"testing"

	"github.com/parleyhq/parley/runtime/pcm"
)

var testRates = []int{8000, 16000, 22050, 24000, 44100, 48000}

func TestResampleRoundTripKeepsTone(t *testing.T) {
	const amp = 10000
	in := pcm.Audio{Samples: sine(48000, 1000, amp, 48000), Rate: 48000}
	down, err := Resample(in, 16000)
	if err != nil {
		t.Fatal(err)
	}
	up, err := Resample(down, 48000)
	if err != nil {
		t.Fatal(err)
	}
	for _, p := range []pcm.Audio{down, up} {
		mid := p.Samples[p.Rate/10 : len(p.Samples)-p.Rate/10]
		gotAmp := toneAmplitude(mid, p.Rate, 1000)
		if d := db(gotAmp / amp); math.Abs(d) > 1 {
			t.Errorf("%d Hz: 1 kHz amplitude %.1f, %.2f dB off", p.Rate, gotAmp, d)
		}
		if f := zeroCrossingFreq(mid, p.Rate); math.Abs(f-1000) > 1 {
			t.Errorf("%d Hz: tone frequency %.2f Hz, want 1000", p.Rate, f)
		}
	}
	if len(up.Samples) != len(in.Samples) {
		t.Errorf("round trip length %d, want %d", len(up.Samples), len(in.Samples))
	}
}

// TestResampleRejectsAliases feeds a tone above the target Nyquist frequency
// and measures what folds back: a resampler without an anti-aliasing filter
// (gopxl/beep) leaves it at about 0 dB.
func TestResampleRejectsAliases(t *testing.T) {
	tests := []struct {
		from, to    int
		tone, alias float64
	}{
		{48000, 16000, 10000, 6000},
		{48000, 16000, 8500, 7500},
		{48000, 8000, 5000, 3000},
		{44100, 8000, 6000, 2000},
		{44100, 16000, 12000, 4000},
		{48000, 22050, 15000, 7050},
		{24000, 16000, 10000, 6000},
		{22050, 16000, 9000, 7000},
		{16000, 8000, 5000, 3000},
	}
	for _, tc := range tests {
		t.Run(fmt.Sprintf("%d-%d_%.0fHz", tc.from, tc.to, tc.tone), func(t *testing.T) {
			const amp = 16000
			out, err := Resample(pcm.Audio{Samples: sine(tc.from, tc.tone, amp, tc.from), Rate: tc.from}, tc.to)
			if err != nil {
				t.Fatal(err)
			}
			mid := out.Samples[tc.to/10 : len(out.Samples)-tc.to/10]
			got := db(toneAmplitude(mid, tc.to, tc.alias) / amp)
			if got > -40 {
				t.Errorf("alias at %.0f Hz is %.1f dB, want <= -40 dB", tc.alias, got)
			}
			t.Logf("alias at %.0f Hz: %.1f dB, rms %.2f", tc.alias, got, rms(mid))
		})
	}
}

func TestResamplePassbandAllPairs(t *testing.T) {
	for _, from := range testRates {
		for _, to := range testRates {
			t.Run(fmt.Sprintf("%d-%d", from, to), func(t *testing.T) {
				const amp = 12000
				in := pcm.Audio{Samples: sine(from, 1000, amp, from/2), Rate: from}
				out, err := Resample(in, to)
				if err != nil {
					t.Fatal(err)
				}
				want := (len(in.Samples)*to + from - 1) / from
				if len(out.Samples) != want {
					t.Errorf("length %d, want %d", len(out.Samples), want)
				}
				mid := out.Samples[to/20 : len(out.Samples)-to/20]
				if d := db(toneAmplitude(mid, to, 1000) / amp); math.Abs(d) > 0.5 {
					t.Errorf("1 kHz gain %.2f dB", d)
				}
				// The output is time-aligned: it matches an ideal tone
				// generated at the target rate.
				ideal := sine(to, 1000, amp, len(out.Samples))
				if c := correlation(ideal[to/20:len(ideal)-to/20], mid, 0); c < 0.999 {
					t.Errorf("correlation with ideal tone %.4f, want >= 0.999", c)
				}
			})
		}
	}
}

func TestResampleChunkedEqualsOneShot(t *testing.T) {
	pairs := [][2]int{{48000, 16000}, {16000, 48000}, {22050, 48000}, {48000, 44100}, {8000, 44100}, {44100, 16000}, {24000, 24000}}
	rng := rand.New(rand.NewPCG(1, 2))
	in := make([]int16, 30000)
	for i := range in {
		in[i] = int16(rng.IntN(40000) - 20000)
	}
	for _, pair := range pairs {
		t.Run(fmt.Sprintf("%d-%d", pair[0], pair[1]), func(t *testing.T) {
			whole, err := Resample(pcm.Audio{Samples: in, Rate: pair[0]}, pair[1])
			if err != nil {
				t.Fatal(err)
			}
			r, err := NewResampler(pair[0], pair[1])
			if err != nil {
				t.Fatal(err)
			}
			for round := range 2 { // the second round checks Flush resets
				var got []int16
				for rest := in; len(rest) > 0; {
					k := min(rng.IntN(2000), len(rest))
					got = r.Process(rest[:k], got)
					rest = rest[k:]
				}
				got = r.Flush(got)
				if len(got) != len(whole.Samples) {
					t.Fatalf("round %d: chunked length %d, one-shot %d", round, len(got), len(whole.Samples))
				}
				for i := range got {
					if got[i] != whole.Samples[i] {
						t.Fatalf("round %d: sample %d: chunked %d, one-shot %d", round, i, got[i], whole.Samples[i])
					}
				}
			}
		})
	}
}

func TestResampleLength(t *testing.T) {
	for _, n := range []int{0, 1, 2, 3, 159, 160, 441, 1000, 9999} {
		for _, pair := range [][2]int{{48000, 16000}, {16000, 48000}, {22050, 48000}, {44100, 8000}} {
			out, err := Resample(pcm.Audio{Samples: make([]int16, n), Rate: pair[0]}, pair[1])
			if err != nil {
				t.Fatal(err)
			}
			want := (n*pair[1] + pair[0] - 1) / pair[0]
			if len(out.Samples) != want {
				t.Errorf("%d samples %d->%d: got %d, want %d", n, pair[0], pair[1], len(out.Samples), want)
			}
		}
	}
}

func TestResampleSpeechRoundTrip(t *testing.T) {
	speech, _, err := Decode(readFixture(t, "hello.wav"), "audio/wav")
	if err != nil {
		t.Fatal(err)
	}
	up, err := Resample(speech, 48000)
	if err != nil {
		t.Fatal(err)
	}
	back, err := Resample(up, 16000)
	if err != nil {
		t.Fatal(err)
	}
	if lag, c := bestLag(speech.Samples, back.Samples, 20); lag != 0 || c < 0.99 {
		t.Errorf("16k->48k->16k: best lag %d, correlation %.4f; want 0 and >= 0.99", lag, c)
	}
}

func TestNewResamplerErrors(t *testing.T) {
	tests := []struct {
		name     string
		from, to int
		opts     []ResamplerOption
		rateErr  bool
	}{
		{"zero from", 0, 16000, nil, true},
		{"negative to", 16000, -1, nil, true},
		{"too high", 16000, 10_000_000, nil, true},
		{"too many phases", 48000, 48007, nil, true},
		{"low attenuation", 48000, 16000, []ResamplerOption{WithAttenuation(5)}, false},
		{"nan attenuation", 48000, 16000, []ResamplerOption{WithAttenuation(math.NaN())}, false},
		{"bandwidth 1", 48000, 16000, []ResamplerOption{WithBandwidth(1)}, false},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			_, err := NewResampler(tc.from, tc.to, tc.opts...)
			if err == nil {
				t.Fatal("want an error")
			}
			if got := errors.Is(err, ErrInvalidRate); got != tc.rateErr {
				t.Errorf("errors.Is(%v, ErrInvalidRate) = %v, want %v", err, got, tc.rateErr)
			}
		})
	}
}

func TestResamplerOptionsChangeFilter(t *testing.T) {
	r, err := NewResampler(48000, 16000, WithAttenuation(60), WithBandwidth(0.8))
	if err != nil {
		t.Fatal(err)
	}
	def, _ := NewResampler(48000, 16000)
	if r.fir.taps >= def.fir.taps {
		t.Errorf("a looser filter has %d taps, default %d", r.fir.taps, def.fir.taps)
	}
	if got := r.String(); got != "resample 48000->16000 Hz" {
		t.Errorf("String() = %q", got)
	}
}

func TestResamplerSteadyStateAllocs(t *testing.T) {
	for _, pair := range [][2]int{{48000, 16000}, {22050, 48000}} {
		r, err := NewResampler(pair[0], pair[1])
		if err != nil {
			t.Fatal(err)
		}
		in := sine(pair[0], 440, 8000, pair[0]/50)
		out := make([]int16, 0, len(in)*pair[1]/pair[0]+2)
		out = r.Process(in, out[:0])
		if n := testing.AllocsPerRun(100, func() { out = r.Process(in, out[:0]) }); n != 0 {
			t.Errorf("%d->%d: %v allocs per 20 ms frame, want 0", pair[0], pair[1], n)
		}
	}
}

func BenchmarkResample20ms(b *testing.B) {
	for _, pair := range [][2]int{{48000, 16000}, {22050, 48000}, {16000, 48000}, {24000, 48000}} {
		b.Run(fmt.Sprintf("%d-%d", pair[0], pair[1]), func(b *testing.B) {
			r, err := NewResampler(pair[0], pair[1])
			if err != nil {
				b.Fatal(err)
			}
			in := sine(pair[0], 440, 8000, pair[0]/50)
			out := make([]int16, 0, len(in)*pair[1]/pair[0]+2)
			b.ReportAllocs()
			for b.Loop() {
				out = r.Process(in, out[:0])
			}
		})
	}
}
