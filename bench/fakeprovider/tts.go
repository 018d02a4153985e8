package main

import (
	"context"
	"math"
	"unicode/utf8"

	"github.com/parleyhq/parley/internal/ctxtime"
	"github.com/parleyhq/parley/runtime/pcm"
	"github.com/parleyhq/parley/runtime/provider"
)

// Audio the fake speaks.
const (
	ttsRate  = 16000
	ttsChunk = ttsRate / 10 // 100 ms per chunk
)

// tts speaks a tone for each character of its text.
type tts struct{}

var _ provider.TTS = tts{}

func (tts) Synthesize(ctx context.Context, req provider.TTSRequest) (provider.Stream[pcm.Audio], error) {
	o, p := parseTTS(req.Options)
	if err := p.err(); err != nil {
		return nil, err
	}
	n := int(float64(utf8.RuneCountInString(req.Text)) * o.CharDuration.Seconds() * ttsRate)
	samples := voice(max(n, ttsChunk))
	return provider.Produce(ctx, func(ctx context.Context, send func(pcm.Audio) error) error {
		if err := ctxtime.Sleep(ctx, o.FirstAudio); err != nil {
			return err
		}
		for off := 0; off < len(samples); off += ttsChunk {
			if err := send(pcm.Audio{Samples: samples[off:min(off+ttsChunk, len(samples))], Rate: ttsRate}); err != nil {
				return err
			}
		}
		return nil
	}), nil
}

// voice is n samples of a speech-like signal at ttsRate: a 150 Hz
// harmonic tone whose loudness follows syllables at 4 Hz but never falls
// silent, so that every 20 ms of it codes as a voiced Opus packet and the
// end of the agent's speech is where the audio ends. It repeats every
// 0.5 s, so it is computed once: the fake's first audio is due after its
// configured latency, not after its own arithmetic.
func voice(n int) []int16 {
	out := make([]int16, n)
	for i := 0; i < n; i += len(voicePeriod) {
		copy(out[i:], voicePeriod)
	}
	return out
}

// voicePeriod is one period of voice: 0.5 s holds a whole number of the
// envelope's (0.25 s) and the tone's (1/150 s) periods.
var voicePeriod = func() []int16 {
	out := make([]int16, ttsRate/2)
	for i := range out {
		t := float64(i) / ttsRate
		env := 0.5 + 0.5*math.Abs(math.Sin(math.Pi*4*t))
		v := 0.0
		for k := 1; k <= 5; k++ {
			v += math.Sin(2*math.Pi*150*float64(k)*t) / float64(k)
		}
		out[i] = int16(7000 * env * v)
	}
	return out
}()
