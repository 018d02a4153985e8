package speechtest

import (
	"math"
	"sort"
)

// RMS is the root mean square of the samples (0 for none).
func RMS(pcm []int16) float64 {
	if len(pcm) == 0 {
		return 0
	}
	var sum float64
	for _, s := range pcm {
		sum += float64(s) * float64(s)
	}
	return math.Sqrt(sum / float64(len(pcm)))
}

// Pitch estimates the median fundamental frequency (Hz) of the voiced
// parts of speech, by autocorrelation over 40 ms frames between 60 and
// 400 Hz; 0 when nothing sounds voiced.
func Pitch(pcm []int16, rate int) float64 {
	frame := rate * 40 / 1000
	minLag, maxLag := rate/400, rate/60
	loud := RMS(pcm) / 2
	var starts []int
	for start := 0; start+frame+maxLag <= len(pcm); start += frame / 2 {
		if RMS(pcm[start:start+frame]) >= loud {
			starts = append(starts, start)
		}
	}
	// At most maxFrames of them, evenly spread: enough for a median, and
	// cheap under the race detector.
	const maxFrames = 40
	if len(starts) > maxFrames {
		picked := make([]int, maxFrames)
		for i := range picked {
			picked[i] = starts[i*len(starts)/maxFrames]
		}
		starts = picked
	}
	var f0s []float64
	for _, start := range starts {
		x := pcm[start : start+frame+maxLag]
		e0 := corr(x, x, frame)
		cs := make([]float64, maxLag+1)
		best := 0.0
		el := corr(x[minLag:], x[minLag:], frame) // energy of the lagged window, slid along
		for lag := minLag; lag <= maxLag; lag++ {
			if lag > minLag {
				in, out := float64(x[lag+frame-1]), float64(x[lag-1])
				el += in*in - out*out
			}
			if e0 <= 0 || el <= 0 {
				continue
			}
			cs[lag] = corr(x, x[lag:], frame) / math.Sqrt(e0*el)
			best = max(best, cs[lag])
		}
		if best < 0.5 {
			continue
		}
		// The shortest period that correlates nearly as well as the best:
		// a voice correlates with itself two periods later too, and picking
		// that would halve the pitch.
		for lag := minLag + 1; lag < maxLag; lag++ {
			if cs[lag] >= 0.9*best && cs[lag] >= cs[lag-1] && cs[lag] >= cs[lag+1] {
				f0s = append(f0s, float64(rate)/float64(lag))
				break
			}
		}
	}
	if len(f0s) == 0 {
		return 0
	}
	sort.Float64s(f0s)
	return f0s[len(f0s)/2]
}

// corr is the dot product of the first n samples of a and b.
func corr(a, b []int16, n int) float64 {
	var sum float64
	for i := 0; i < n; i++ {
		sum += float64(a[i]) * float64(b[i])
	}
	return sum
}
