package main

import (
	"testing"
	"time"

	"github.com/stretchr/testify/require"
)

func TestPercentile(t *testing.T) {
	sorted := []float64{1, 2, 3, 4, 5, 6, 7, 8, 9, 10}
	tests := []struct {
		name string
		in   []float64
		p    float64
		want float64
	}{
		{"empty", nil, 50, 0},
		{"one", []float64{7}, 99, 7},
		{"p50 of ten", sorted, 50, 5},
		{"p99 of ten is the max", sorted, 99, 10},
		{"p90 of ten", sorted, 90, 9},
		{"p100", sorted, 100, 10},
		{"tiny p is the min", sorted, 0.001, 1},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			require.Equal(t, tt.want, percentile(tt.in, tt.p))
		})
	}
}

func TestSummarize(t *testing.T) {
	var ds []time.Duration
	for i := 100; i >= 1; i-- { // unsorted on purpose
		ds = append(ds, time.Duration(i)*time.Millisecond)
	}
	q := summarize(ds)
	require.Equal(t, Quantiles{N: 100, P50: 50, P99: 99, Max: 100}, q)
	require.Equal(t, Quantiles{}, summarize(nil))
}

func TestHistogramQuantiles(t *testing.T) {
	h := frameHistogram()
	// 980 intervals of 20 ms, 15 of 25 ms, 4 of 40 ms and one 300 ms stall.
	for range 980 {
		h.Add(20 * time.Millisecond)
	}
	for range 15 {
		h.Add(25 * time.Millisecond)
	}
	for range 4 {
		h.Add(40 * time.Millisecond)
	}
	h.Add(300 * time.Millisecond)
	require.EqualValues(t, 1000, h.Count())
	// Upper bucket edge: 20 ms falls in [20.0, 20.1).
	require.Equal(t, 20100*time.Microsecond, h.Quantile(50))
	require.Equal(t, 25100*time.Microsecond, h.Quantile(99))
	require.Equal(t, 40100*time.Microsecond, h.Quantile(99.9))
	require.Equal(t, 300*time.Millisecond, h.Quantile(100), "overflow values are exact")
	s := h.Summary()
	require.InDelta(t, 20.1, s.P50, 1e-9)
	require.InDelta(t, 25.1, s.P99, 1e-9)
	require.InDelta(t, 300, s.Max, 1e-9)
}

func TestHistogramEdges(t *testing.T) {
	h := frameHistogram()
	require.Equal(t, time.Duration(0), h.Quantile(99), "empty")
	h.Add(-time.Millisecond)
	require.Equal(t, time.Duration(0), h.Quantile(50), "negative counts as zero, capped by the max")
	h = frameHistogram()
	h.Add(19 * time.Millisecond)
	require.Equal(t, 19*time.Millisecond, h.Quantile(50), "a quantile never exceeds the max")
	h = frameHistogram()
	for _, ms := range []int{400, 300, 500} {
		h.Add(time.Duration(ms) * time.Millisecond)
	}
	require.Equal(t, 300*time.Millisecond, h.Quantile(1))
	require.Equal(t, 400*time.Millisecond, h.Quantile(50))
	require.Equal(t, 500*time.Millisecond, h.Quantile(99))
}

func TestHistogramMerge(t *testing.T) {
	a, b := frameHistogram(), frameHistogram()
	for range 50 {
		a.Add(20 * time.Millisecond)
	}
	for range 50 {
		b.Add(60 * time.Millisecond)
	}
	b.Add(time.Second)
	a.Merge(b)
	require.EqualValues(t, 101, a.Count())
	require.Equal(t, 20100*time.Microsecond, a.Quantile(49))
	require.Equal(t, 60100*time.Microsecond, a.Quantile(99))
	require.Equal(t, time.Second, a.Quantile(100))
	require.InDelta(t, 1000, a.Summary().Max, 1e-9)
}

func TestSeqTrackerLoss(t *testing.T) {
	seqs := func(from, to int) []uint16 {
		var out []uint16
		for i := from; i <= to; i++ {
			out = append(out, uint16(i)) //nolint:gosec // wraps on purpose
		}
		return out
	}
	cat := func(parts ...[]uint16) []uint16 {
		var out []uint16
		for _, p := range parts {
			out = append(out, p...)
		}
		return out
	}
	tests := []struct {
		name string
		in   []uint16
		want Loss
	}{
		{"none", nil, Loss{}},
		{"one", []uint16{7}, Loss{Expected: 1, Received: 1}},
		{"in order", seqs(100, 199), Loss{Expected: 100, Received: 100}},
		{"one gap of three", cat(seqs(100, 149), seqs(153, 199)), Loss{Expected: 100, Received: 97, Lost: 3, Percent: 3}},
		{"wraps without loss", seqs(65500, 65599), Loss{Expected: 100, Received: 100}},
		{"gap across the wrap", cat(seqs(65530, 65535), seqs(65538, 65629)), Loss{Expected: 100, Received: 98, Lost: 2, Percent: 2}},
		{
			"late packet fills its gap",
			cat(seqs(1, 10), []uint16{12, 11}, seqs(13, 20)),
			Loss{Expected: 20, Received: 20, Late: 1},
		},
		{
			"late packet before the first",
			cat([]uint16{5, 4}, seqs(6, 13)),
			Loss{Expected: 10, Received: 10, Late: 1},
		},
		{
			"late packet across the wrap is not a wrap",
			cat([]uint16{65534, 0, 65535}, seqs(1, 7)),
			Loss{Expected: 10, Received: 10, Late: 1},
		},
		{
			"duplicate hides nothing when nothing is lost",
			cat(seqs(1, 5), []uint16{5}, seqs(6, 10)),
			Loss{Expected: 10, Received: 11, Duplicates: 1},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var s SeqTracker
			for _, q := range tt.in {
				s.Add(q)
			}
			require.Equal(t, tt.want, s.Loss())
		})
	}
}

func TestLossAdd(t *testing.T) {
	a := Loss{Expected: 1000, Received: 990, Lost: 10, Percent: 1}
	b := Loss{Expected: 1000, Received: 1000}
	require.Equal(t, Loss{Expected: 2000, Received: 1990, Lost: 10, Percent: 0.5}, a.Add(b))
	require.Equal(t, a, Loss{}.Add(a))
}

func TestExtend(t *testing.T) {
	tests := []struct {
		ref  int64
		seq  uint16
		want int64
	}{
		{10, 11, 11},
		{65535, 0, 65536},
		{65536, 65535, 65535},
		{3*65536 + 5, 2, 3*65536 + 2},
		{3*65536 + 65000, 100, 4*65536 + 100},
	}
	for _, tt := range tests {
		require.Equal(t, tt.want, extend(tt.ref, tt.seq), "extend(%d, %d)", tt.ref, tt.seq)
	}
}
