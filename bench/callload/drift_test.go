package main

import (
	"math/rand/v2"
	"testing"

	"github.com/stretchr/testify/require"
)

func TestFit(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	var xs, flat, leak []float64
	for i := range 60 {
		x := float64(i) / 6 // ten minutes, every 10 s
		xs = append(xs, x)
		noise := rng.NormFloat64() * 2
		flat = append(flat, 100+noise)
		leak = append(leak, 100+0.5*x+noise) // +30 MB an hour on 100: a leak
	}
	f := fit(xs, flat)
	require.True(t, f.Flat, "%+v", f)
	require.InDelta(t, 100, f.Mean, 1)
	l := fit(xs, leak)
	require.False(t, l.Flat, "%+v", l)
	require.InDelta(t, 0.5, l.SlopePerMin, 0.1)
	require.InDelta(t, 30, l.PercentPerHour, 6)
	require.Equal(t, Trend{}, fit(xs[:2], flat[:2]), "too few samples for a trend")
}
