package stats

import (
	"slices"
	"time"
)

// Histogram counts durations in fixed-width buckets so that millions of
// frame intervals cost a few kilobytes; values past the last bucket are kept
// exactly. Quantiles report a bucket's upper edge: they err high, by at most
// one bucket width. The zero value is not usable; use NewHistogram. A
// Histogram is not safe for concurrent use.
type Histogram struct {
	width    time.Duration
	buckets  []uint64
	overflow []time.Duration
	n        uint64
	max      time.Duration
}

// NewHistogram covers [0, span) in buckets of width.
func NewHistogram(width, span time.Duration) *Histogram {
	return &Histogram{width: width, buckets: make([]uint64, int(span/width))}
}

// FrameHistogram has 0.1 ms resolution up to 250 ms: the histogram of RTP
// packet intervals.
func FrameHistogram() *Histogram { return NewHistogram(100*time.Microsecond, 250*time.Millisecond) }

// Add records d; negative durations count as zero.
func (h *Histogram) Add(d time.Duration) {
	d = max(d, 0)
	h.n++
	h.max = max(h.max, d)
	if i := int(d / h.width); i < len(h.buckets) {
		h.buckets[i]++
		return
	}
	h.overflow = append(h.overflow, d)
}

// Merge adds o's counts to h; both must have the same buckets.
func (h *Histogram) Merge(o *Histogram) {
	for i, c := range o.buckets {
		h.buckets[i] += c
	}
	h.overflow = append(h.overflow, o.overflow...)
	h.n += o.n
	h.max = max(h.max, o.max)
}

// Count is the number of recorded durations.
func (h *Histogram) Count() uint64 { return h.n }

// Quantile returns the nearest-rank p-th percentile (0 < p <= 100).
func (h *Histogram) Quantile(p float64) time.Duration {
	if h.n == 0 {
		return 0
	}
	rank := nearestRank(p, h.n)
	rank = min(max(rank, 1), h.n)
	var seen uint64
	for i, c := range h.buckets {
		seen += c
		if seen >= rank {
			return min(time.Duration(i+1)*h.width, h.max)
		}
	}
	over := slices.Clone(h.overflow)
	slices.Sort(over)
	return over[rank-seen-1]
}

// Summary returns p50, p95, p99 and max in milliseconds.
func (h *Histogram) Summary() Quantiles {
	ms := func(d time.Duration) float64 { return float64(d) / float64(time.Millisecond) }
	return Quantiles{N: int(h.n), P50: ms(h.Quantile(50)), P95: ms(h.Quantile(95)), P99: ms(h.Quantile(99)), Max: ms(h.max)}
}
