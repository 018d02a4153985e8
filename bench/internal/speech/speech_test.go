package speech

import (
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/parleyhq/parley/runtime/pcm"
)

func TestSynthEnvelopes(t *testing.T) {
	peak := func(p pcm.Audio, from, to time.Duration) int16 {
		var m int16
		for _, s := range p.Samples[int(from.Seconds()*16000):int(to.Seconds()*16000)] {
			m = max(m, s, -s)
		}
		return m
	}
	words := Synth(16000, time.Second, Words)
	require.Len(t, words.Samples, 16000)
	require.Zero(t, peak(words, 660*time.Millisecond, 790*time.Millisecond), "the gap between words")
	require.Positive(t, peak(words, 0, 600*time.Millisecond))
	steady := Synth(16000, time.Second, Syllables)
	require.Positive(t, peak(steady, 660*time.Millisecond, 790*time.Millisecond), "no gaps")
}

func TestEncodeOpusFrames(t *testing.T) {
	frames, err := EncodeOpus(pcm.Audio{Samples: make([]int16, 16000+1), Rate: 16000})
	require.NoError(t, err)
	require.Len(t, frames, 51, "one second and a padded last frame")
	_, err = EncodeOpus(pcm.Audio{Samples: make([]int16, 10), Rate: 44100})
	require.Error(t, err)
}
