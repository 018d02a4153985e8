package speechtest

import (
	"math"
	"testing"
)

func tone(hz float64, rate, n int) []int16 {
	pcm := make([]int16, n)
	for i := range pcm {
		// A pulse-rich wave, like a voice: fundamental plus harmonics.
		t := float64(i) / float64(rate)
		v := math.Sin(2*math.Pi*hz*t) + 0.5*math.Sin(4*math.Pi*hz*t) + 0.3*math.Sin(6*math.Pi*hz*t)
		pcm[i] = int16(8000 * v)
	}
	return pcm
}

func TestPitch(t *testing.T) {
	for _, tc := range []struct {
		hz   float64
		rate int
	}{{100, 16000}, {180, 16000}, {220, 22050}, {90, 22050}} {
		got := Pitch(tone(tc.hz, tc.rate, tc.rate), tc.rate)
		if math.Abs(got-tc.hz) > tc.hz*0.03 {
			t.Errorf("Pitch of %.0f Hz at %d Hz = %.1f", tc.hz, tc.rate, got)
		}
	}
	if got := Pitch(make([]int16, 16000), 16000); got != 0 {
		t.Errorf("Pitch of silence = %.1f", got)
	}
}

func TestRMS(t *testing.T) {
	if RMS(nil) != 0 || RMS([]int16{3, -3, 3, -3}) != 3 {
		t.Fatal("RMS")
	}
}
