package media

import (
	"math"
	"sync"
	"testing"
	"time"

	"go.uber.org/goleak"
)

func TestMain(m *testing.M) {
	goleak.VerifyTestMain(m)
}

// verifyNoLeaks checks that a test left no goroutines behind. goleak
// retries with backoff for a while, which covers Pion's handler goroutines
// (OnConnectionStateChange runs each handler on a detached goroutine) that
// finish just after Close returns.
func verifyNoLeaks(t *testing.T) {
	t.Helper()
	goleak.VerifyNone(t)
}

// tone returns dur of a sine at freq Hz, sampled at rate.
func tone(freq float64, rate int, dur time.Duration, amp float64) []int16 {
	n := int(int64(rate) * int64(dur) / int64(time.Second))
	out := make([]int16, n)
	for i := range out {
		out[i] = int16(amp * math.Sin(2*math.Pi*freq*float64(i)/float64(rate)))
	}
	return out
}

// goertzel returns the power of freq in x (sampled at rate).
func goertzel(x []int16, rate int, freq float64) float64 {
	w := 2 * math.Pi * freq / float64(rate)
	c := 2 * math.Cos(w)
	var s1, s2 float64
	for _, v := range x {
		s0 := float64(v) + c*s1 - s2
		s2, s1 = s1, s0
	}
	return s1*s1 + s2*s2 - c*s1*s2
}

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

// loudFrames returns how many frames of n samples in x have an RMS above
// thr, and those samples concatenated.
func loudFrames(x []int16, n int, thr float64) (int, []int16) {
	var count int
	var loud []int16
	for i := 0; i+n <= len(x); i += n {
		if rms(x[i:i+n]) > thr {
			count++
			loud = append(loud, x[i:i+n]...)
		}
	}
	return count, loud
}

// frameSink is a Sink that keeps copies of the frames it receives.
type frameSink struct {
	mu     sync.Mutex
	frames [][]int16
}

func (s *frameSink) WriteFrame(f []int16) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.frames = append(s.frames, append([]int16(nil), f...))
}

func (s *frameSink) count() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return len(s.frames)
}

func (s *frameSink) samples() []int16 {
	s.mu.Lock()
	defer s.mu.Unlock()
	var out []int16
	for _, f := range s.frames {
		out = append(out, f...)
	}
	return out
}
