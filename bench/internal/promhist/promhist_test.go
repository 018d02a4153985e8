package promhist

import (
	"math"
	"testing"

	"github.com/stretchr/testify/require"
)

const exposition = `# HELP parley_turn_overhead_seconds The runtime's own share.
# TYPE parley_turn_overhead_seconds histogram
parley_turn_overhead_seconds_bucket{agent="other",le="0.01"} 7
parley_turn_overhead_seconds_bucket{agent="bench",le="0.01"} 10
parley_turn_overhead_seconds_bucket{agent="bench",le="0.025"} 90
parley_turn_overhead_seconds_bucket{agent="bench",le="0.05"} 99
parley_turn_overhead_seconds_bucket{agent="bench",le="+Inf"} 100
parley_turn_overhead_seconds_sum{agent="bench"} 2
parley_turn_overhead_seconds_count{agent="bench"} 100
parley_turn_overhead_seconds_count{agent="other"} 7
`

func TestParseHistogram(t *testing.T) {
	h, err := Parse(exposition, "parley_turn_overhead_seconds", `agent="bench"`)
	require.NoError(t, err)
	require.Equal(t, []float64{0.01, 0.025, 0.05, math.Inf(1)}, h.Bounds)
	require.Equal(t, []float64{10, 90, 99, 100}, h.Counts)
	require.InDelta(t, 0.02, h.Mean(), 1e-9)
	require.Equal(t, 0.025, h.Quantile(50))
	require.Equal(t, 0.05, h.Quantile(95))
	require.Equal(t, 0.05, h.Quantile(99))
	require.True(t, math.IsInf(h.Quantile(100), 1))

	_, err = Parse(exposition, "parley_turn_overhead_seconds", `agent="none"`)
	require.Error(t, err)
}

func TestHistogramSub(t *testing.T) {
	before := Histogram{Bounds: []float64{0.01, math.Inf(1)}, Counts: []float64{5, 6}, Sum: 0.1, Count: 6}
	after := Histogram{Bounds: []float64{0.01, math.Inf(1)}, Counts: []float64{15, 20}, Sum: 0.5, Count: 20}
	d := after.Sub(before)
	require.Equal(t, []float64{10, 14}, d.Counts)
	require.InDelta(t, 14, d.Count, 1e-9)
	require.Equal(t, 0.01, d.Quantile(50))
	require.True(t, math.IsNaN(Histogram{}.Quantile(50)))
	// An empty "before" (no turns yet when it was scraped) subtracts nothing.
	require.Equal(t, after.Counts, after.Sub(Histogram{}).Counts)
}
