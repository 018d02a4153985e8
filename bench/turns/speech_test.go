package main

import (
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/parleyhq/parley/runtime/pcm"
)

func TestTrimSilence(t *testing.T) {
	frame := func(amp int16) []int16 {
		f := make([]int16, 320)
		for i := range f {
			f[i] = amp
			if i%2 == 1 {
				f[i] = -amp
			}
		}
		return f
	}
	var s []int16
	for _, amp := range []int16{0, 100, 5000, 200, 5000, 500, 0} { // quiet edges, a quiet dip inside
		s = append(s, frame(amp)...)
	}
	got := trimSilence(pcm.Audio{Samples: s, Rate: 16000}, speechFloor)
	require.Equal(t, 16000, got.Rate)
	require.Len(t, got.Samples, 3*320, "from the first loud frame to the last, the dip kept")
	require.Equal(t, int16(5000), got.Samples[0])
	require.Empty(t, trimSilence(pcm.Audio{Samples: frame(10), Rate: 16000}, speechFloor).Samples)
}

func TestSilenceFramesLoopOneSecond(t *testing.T) {
	frames, err := silenceFrames()
	require.NoError(t, err)
	require.Len(t, frames, 50)
}
