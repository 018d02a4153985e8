package stats

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
			require.Equal(t, tt.want, Percentile(tt.in, tt.p))
		})
	}
}

func TestSummarize(t *testing.T) {
	var ds []time.Duration
	for i := 100; i >= 1; i-- { // unsorted on purpose
		ds = append(ds, time.Duration(i)*time.Millisecond)
	}
	q := Summarize(ds)
	require.Equal(t, Quantiles{N: 100, P50: 50, P95: 95, P99: 99, Max: 100}, q)
	require.Equal(t, Quantiles{}, Summarize(nil))
}

func TestHistogramQuantiles(t *testing.T) {
	h := FrameHistogram()
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
	h := FrameHistogram()
	require.Equal(t, time.Duration(0), h.Quantile(99), "empty")
	h.Add(-time.Millisecond)
	require.Equal(t, time.Duration(0), h.Quantile(50), "negative counts as zero, capped by the max")
	h = FrameHistogram()
	h.Add(19 * time.Millisecond)
	require.Equal(t, 19*time.Millisecond, h.Quantile(50), "a quantile never exceeds the max")
	h = FrameHistogram()
	for _, ms := range []int{400, 300, 500} {
		h.Add(time.Duration(ms) * time.Millisecond)
	}
	require.Equal(t, 300*time.Millisecond, h.Quantile(1))
	require.Equal(t, 400*time.Millisecond, h.Quantile(50))
	require.Equal(t, 500*time.Millisecond, h.Quantile(99))
}

func TestHistogramMerge(t *testing.T) {
	a, b := FrameHistogram(), FrameHistogram()
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

func TestSummarizeMsKeepsItsInput(t *testing.T) {
	in := []float64{3, 1, 2}
	require.Equal(t, Quantiles{N: 3, P50: 2, P95: 3, P99: 3, Max: 3}, SummarizeMs(in))
	require.Equal(t, []float64{3, 1, 2}, in)
}
