package audio

import (
	"math"
	"os"
	"path/filepath"
	"testing"
)

// sine returns n samples of a tone of amplitude amp.
func sine(rate int, freq, amp float64, n int) []int16 {
	s := make([]int16, n)
	for i := range s {
		s[i] = int16(math.Round(amp * math.Sin(2*math.Pi*freq*float64(i)/float64(rate))))
	}
	return s
}

// toneAmplitude estimates the amplitude of the component of x at freq with a
// Hann-windowed Goertzel filter.
func toneAmplitude(x []int16, rate int, freq float64) float64 {
	n := len(x)
	coeff := 2 * math.Cos(2*math.Pi*freq/float64(rate))
	var s1, s2, wsum float64
	for i, v := range x {
		w := 0.5 - 0.5*math.Cos(2*math.Pi*float64(i)/float64(n-1))
		wsum += w
		s0 := w*float64(v) + coeff*s1 - s2
		s2, s1 = s1, s0
	}
	power := s1*s1 + s2*s2 - coeff*s1*s2
	return 2 * math.Sqrt(math.Max(power, 0)) / wsum
}

func db(ratio float64) float64 { return 20 * math.Log10(ratio) }

func rms(x []int16) float64 {
	if len(x) == 0 {
		return 0
	}
	var sum float64
	for _, v := range x {
		sum += float64(v) * float64(v)
	}
	return math.Sqrt(sum / float64(len(x)))
}

// zeroCrossingFreq estimates the frequency of a tone from its rising zero
// crossings.
func zeroCrossingFreq(x []int16, rate int) float64 {
	first, last, count := -1, -1, 0
	for i := 1; i < len(x); i++ {
		if x[i-1] < 0 && x[i] >= 0 {
			if first < 0 {
				first = i
			} else {
				count++
			}
			last = i
		}
	}
	if count == 0 {
		return 0
	}
	return float64(count) * float64(rate) / float64(last-first)
}

// bestLag returns the lag (in samples, of b relative to a) within ±maxLag
// that maximises the normalised cross-correlation, and that correlation.
func bestLag(a, b []int16, maxLag int) (int, float64) {
	best, bestC := 0, -2.0
	for lag := -maxLag; lag <= maxLag; lag++ {
		if c := correlation(a, b, lag); c > bestC {
			best, bestC = lag, c
		}
	}
	return best, bestC
}

// correlation is the normalised correlation of a[i] with b[i+lag] over the
// overlap.
func correlation(a, b []int16, lag int) float64 {
	var ab, aa, bb float64
	for i := range a {
		j := i + lag
		if j < 0 || j >= len(b) {
			continue
		}
		x, y := float64(a[i]), float64(b[j])
		ab += x * y
		aa += x * x
		bb += y * y
	}
	if aa == 0 || bb == 0 {
		return 0
	}
	return ab / math.Sqrt(aa*bb)
}

func readFixture(t testing.TB, name string) []byte {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("testdata", name))
	if err != nil {
		t.Fatal(err)
	}
	return b
}
