package main

import (
	"fmt"
	"time"

	"github.com/parleyhq/parley/bench/internal/speech"
	"github.com/parleyhq/parley/runtime/audio"
	"github.com/parleyhq/parley/runtime/pcm"
)

// loop is what every simulated caller says, encoded once: 20 ms Opus
// packets that the callers loop (each from its own offset, so calls are
// not in lockstep).
type loop struct {
	Frames [][]byte
	Source string // where the audio came from, for the report
}

// Duration is the length of one loop.
func (s *loop) Duration() time.Duration { return time.Duration(len(s.Frames)) * speech.FrameDuration }

// loadSpeech builds the caller audio. mode is "speech" (wavPath if set, else
// flite reading text, else a synthetic voiced signal) or "silence". pause is
// silence appended after the speech, so the agent's turn detector sees the
// caller stop and answers.
func loadSpeech(mode, wavPath, text string, pause time.Duration) (*loop, error) {
	var (
		caller pcm.Audio
		source string
		err    error
	)
	switch mode {
	case "silence":
		caller, source = pcm.Audio{Samples: make([]int16, 16000), Rate: 16000}, "silence"
	case "speech":
		if caller, source, err = speech.Load(wavPath, text, 3*time.Second, speech.Words); err != nil {
			return nil, err
		}
	default:
		return nil, fmt.Errorf("-audio %q: want speech or silence", mode)
	}
	if caller, err = opusRate(caller); err != nil {
		return nil, err
	}
	caller.Samples = append(caller.Samples, make([]int16, int(pause.Seconds()*float64(caller.Rate)))...)
	frames, err := speech.EncodeOpus(caller)
	if err != nil {
		return nil, err
	}
	return &loop{Frames: frames, Source: source}, nil
}

// opusRate resamples p to 48 kHz unless Opus takes its rate as it is.
func opusRate(p pcm.Audio) (pcm.Audio, error) {
	switch p.Rate {
	case 8000, 12000, 16000, 24000, 48000:
		return p, nil
	}
	return audio.Resample(p, 48000)
}
