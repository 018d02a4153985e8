package stats

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

// Percentile returns the nearest-rank p-th percentile (0 < p <= 100) of
// sorted, or 0 for an empty slice.
func Percentile(sorted []float64, p float64) float64 {
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

// Summarize returns the quantiles of ds in milliseconds.
func Summarize(ds []time.Duration) Quantiles {
	ms := make([]float64, len(ds))
	for i, d := range ds {
		ms[i] = float64(d) / float64(time.Millisecond)
	}
	return SummarizeMs(ms)
}

// SummarizeMs returns the quantiles of values already in milliseconds; ms
// is not modified.
func SummarizeMs(ms []float64) Quantiles {
	ms = slices.Clone(ms)
	slices.Sort(ms)
	q := Quantiles{N: len(ms), P50: Percentile(ms, 50), P95: Percentile(ms, 95), P99: Percentile(ms, 99)}
	if len(ms) > 0 {
		q.Max = ms[len(ms)-1]
	}
	return q
}

// PercentOf is part as a percentage of whole, 0 when whole is 0.
func PercentOf(part, whole uint64) float64 {
	if whole == 0 {
		return 0
	}
	return 100 * float64(part) / float64(whole)
}
