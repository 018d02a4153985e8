package main

import (
	"errors"
	"math"
	"time"

	"github.com/parleyhq/parley/bench/internal/speech"
	"github.com/parleyhq/parley/runtime/audio"
	"github.com/parleyhq/parley/runtime/pcm"
)

// speechFloor is the RMS (of full scale 32768) above which a 20 ms frame of
// the caller's audio counts as speech: -30 dBFS. The utterance is cut
// there, so it ends crisply and the last packet sent is where a VAD puts
// the end of speech too (flite's fading tails, -30 to -50 dBFS, would
// otherwise count as speech here and as silence there).
const speechFloor = 1036

// utterance is what a caller says, encoded once as 20 ms Opus packets at
// 48 kHz, trimmed so its first and last packets carry speech: the send
// time of the first is the caller's speech onset, that of the last the end
// of its speech.
type utterance struct {
	Frames [][]byte
	Source string
}

// Duration is how long the utterance plays.
func (u *utterance) Duration() time.Duration {
	return time.Duration(len(u.Frames)) * speech.FrameDuration
}

// loadUtterance makes text into an utterance with flite (a synthetic voice
// where flite is missing), or reads wavPath if set.
func loadUtterance(text, wavPath string) (*utterance, error) {
	pcm, source, err := speech.Load(wavPath, text, 2*time.Second, speech.Syllables)
	if err != nil {
		return nil, err
	}
	pcm = trimSilence(pcm, speechFloor)
	if len(pcm.Samples) == 0 {
		return nil, errors.New("the caller's audio has no speech in it")
	}
	if pcm.Rate != 48000 {
		if pcm, err = audio.Resample(pcm, 48000); err != nil {
			return nil, err
		}
	}
	frames, err := speech.EncodeOpus(pcm)
	if err != nil {
		return nil, err
	}
	return &utterance{Frames: frames, Source: source}, nil
}

// silenceFrames is one second of a caller's silence as Opus packets, which
// a caller loops between utterances: RTP never stops, as in a browser.
func silenceFrames() ([][]byte, error) {
	return speech.EncodeOpus(pcm.Audio{Samples: make([]int16, 48000), Rate: 48000})
}

// trimSilence cuts the 20 ms frames before the first and after the last
// frame whose RMS reaches floor.
func trimSilence(p pcm.Audio, floor float64) pcm.Audio {
	n := p.Rate / 50
	first, last := -1, -1
	for i := 0; i*n < len(p.Samples); i++ {
		if rms(p.Samples[i*n:min((i+1)*n, len(p.Samples))]) >= floor {
			if first < 0 {
				first = i
			}
			last = i
		}
	}
	if first < 0 {
		return pcm.Audio{Rate: p.Rate}
	}
	return pcm.Audio{Samples: p.Samples[first*n : min((last+1)*n, len(p.Samples))], Rate: p.Rate}
}

func rms(s []int16) float64 {
	if len(s) == 0 {
		return 0
	}
	var sum float64
	for _, v := range s {
		sum += float64(v) * float64(v)
	}
	return math.Sqrt(sum / float64(len(s)))
}
