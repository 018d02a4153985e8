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
	slices.Sort(ms)
	q := Quantiles{N: len(ms), P50: percentile(ms, 50), P99: percentile(ms, 99)}
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

// Summary returns p50, p99 and max in milliseconds.
func (h *Histogram) Summary() Quantiles {
	ms := func(d time.Duration) float64 { return float64(d) / float64(time.Millisecond) }
	return Quantiles{N: int(h.n), P50: ms(h.Quantile(50)), P99: ms(h.Quantile(99)), Max: ms(h.max)}
}

// SeqTracker counts RTP packets lost on one stream from sequence-number gaps,
// the RFC 3550 way: expected = highest extended sequence number seen - first
// + 1, lost = expected - received. Sequence numbers wrap at 65536; a packet
// more than half the space behind the highest is taken as late, not as a
// wrap. A back-to-back duplicate counts as received (as in RFC 3550), so it
// can hide a loss; Duplicates reports how many were seen.
type SeqTracker struct {
	started    bool
	base       int64 // lowest extended sequence number seen
	highest    int64
	received   uint64
	late       uint64
	duplicates uint64
	last       int64
}

// extend places seq in the 16-bit cycle closest to ref.
func extend(ref int64, seq uint16) int64 {
	ext := ref&^0xFFFF | int64(seq)
	switch {
	case ext-ref > 1<<15:
		ext -= 1 << 16
	case ref-ext > 1<<15:
		ext += 1 << 16
	}
	return ext
}

// Add records one received packet.
func (s *SeqTracker) Add(seq uint16) {
	s.received++
	if !s.started {
		s.started = true
		s.base, s.highest, s.last = int64(seq), int64(seq), int64(seq)
		return
	}
	ext := extend(s.highest, seq)
	switch {
	case ext == s.last:
		s.duplicates++
	case ext > s.highest:
		s.highest = ext
	default:
		s.late++
	}
	s.last = ext
	s.base = min(s.base, ext)
}

// Loss is the loss of one or more streams.
type Loss struct {
	Expected   uint64  `json:"expected"`
	Received   uint64  `json:"received"`
	Lost       uint64  `json:"lost"`
	Late       uint64  `json:"late"`
	Duplicates uint64  `json:"duplicates"`
	Percent    float64 `json:"percent"`
}

// Loss returns the tracker's counts.
func (s *SeqTracker) Loss() Loss {
	if !s.started {
		return Loss{}
	}
	l := Loss{Expected: uint64(s.highest - s.base + 1), Received: s.received, Late: s.late, Duplicates: s.duplicates}
	if l.Expected > l.Received {
		l.Lost = l.Expected - l.Received
	}
	l.Percent = percentOf(l.Lost, l.Expected)
	return l
}

// Add sums two losses.
func (l Loss) Add(o Loss) Loss {
	s := Loss{
		Expected: l.Expected + o.Expected, Received: l.Received + o.Received, Lost: l.Lost + o.Lost,
		Late: l.Late + o.Late, Duplicates: l.Duplicates + o.Duplicates,
	}
	s.Percent = percentOf(s.Lost, s.Expected)
	return s
}

func percentOf(part, whole uint64) float64 {
	if whole == 0 {
		return 0
	}
	return 100 * float64(part) / float64(whole)
}
