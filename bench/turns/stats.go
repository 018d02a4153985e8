package main

import (
	"math"
	"slices"
	"time"
)

// Quantiles summarises a set of durations in milliseconds.
type Quantiles struct {
	N   int     `json:"n"`
	P50 float64 `json:"p50Ms"`
	P95 float64 `json:"p95Ms"`
	P99 float64 `json:"p99Ms"`
	Max float64 `json:"maxMs"`
}

// percentile returns the nearest-rank p-th percentile (0 < p <= 100) of
// sorted, or 0 for an empty slice.
func percentile(sorted []float64, p float64) float64 {
	if len(sorted) == 0 {
		return 0
	}
	rank := int(nearestRank(p, uint64(len(sorted))))
	rank = min(max(rank, 1), len(sorted))
	return sorted[rank-1]
}

// nearestRank is the 1-based rank of the p-th percentile of n values; the
// epsilon keeps 99.9 % of 1000 at rank 999 despite floating-point error.
func nearestRank(p float64, n uint64) uint64 {
	return uint64(math.Ceil(p/100*float64(n) - 1e-9))
}

// summarize returns the quantiles of ds in milliseconds.
func summarize(ds []time.Duration) Quantiles {
	ms := make([]float64, len(ds))
	for i, d := range ds {
		ms[i] = float64(d) / float64(time.Millisecond)
	}
	return summarizeMs(ms)
}

// summarizeMs returns the quantiles of values already in milliseconds.
func summarizeMs(ms []float64) Quantiles {
	ms = slices.Clone(ms)
	slices.Sort(ms)
	q := Quantiles{N: len(ms), P50: percentile(ms, 50), P95: percentile(ms, 95), P99: percentile(ms, 99)}
	if len(ms) > 0 {
		q.Max = ms[len(ms)-1]
	}
	return q
}

// Histogram counts durations in fixed-width buckets so that millions of
// frame intervals cost a few kilobytes; values past the last bucket are kept
// exactly. Quantiles report a bucket's upper edge: they err high, by at most
// one bucket width. The zero value is not usable; use newHistogram.
type Histogram struct {
	width    time.Duration
	buckets  []uint64
	overflow []time.Duration
	n        uint64
	max      time.Duration
}

// newHistogram covers [0, span) in buckets of width.
func newHistogram(width, span time.Duration) *Histogram {
	return &Histogram{width: width, buckets: make([]uint64, int(span/width))}
}

// frameHistogram has 0.1 ms resolution up to 250 ms.
func frameHistogram() *Histogram { return newHistogram(100*time.Microsecond, 250*time.Millisecond) }

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
