package main

import (
	"errors"
	"fmt"
	"math"
	"os"
	"os/exec"
	"path/filepath"
	"time"

	"gopkg.in/hraban/opus.v2"

	"github.com/parleyhq/parley/runtime/audio"
)

// frameDuration is the packet time of every frame sent and expected.
const frameDuration = 20 * time.Millisecond

// speech is what every simulated caller says, encoded once: 20 ms Opus
// packets that the callers loop (each from its own offset, so calls are
// not in lockstep).
type speech struct {
	Frames [][]byte
	Voiced int    // frames with speech; the rest is the pause after it
	Source string // where the audio came from, for the report
}

// Duration is the length of one loop.
func (s *speech) Duration() time.Duration { return time.Duration(len(s.Frames)) * frameDuration }

// loadSpeech builds the caller audio. mode is "speech" (wavPath if set, else
// flite reading text, else a synthetic voiced signal) or "silence". pause is
// silence appended after the speech, so the agent's turn detector sees the
// caller stop and answers.
func loadSpeech(mode, wavPath, text string, pause time.Duration) (*speech, error) {
	var (
		pcm    audio.PCM
		source string
		err    error
	)
	switch mode {
	case "silence":
		pcm, source = audio.PCM{Samples: make([]int16, 16000), Rate: 16000}, "silence"
	case "speech":
		switch {
		case wavPath != "":
			pcm, err = decodeFile(wavPath)
			source = "file " + filepath.Base(wavPath)
		default:
			pcm, err = flite(text)
			source = "flite"
			if errors.Is(err, exec.ErrNotFound) {
				pcm, source, err = synthVoice(16000, 3*time.Second), "synthetic voice", nil
			}
		}
		if err != nil {
			return nil, err
		}
	default:
		return nil, fmt.Errorf("-audio %q: want speech or silence", mode)
	}
	if pcm, err = opusRate(pcm); err != nil {
		return nil, err
	}
	voiced := len(pcm.Samples)
	pcm.Samples = append(pcm.Samples, make([]int16, int(pause.Seconds()*float64(pcm.Rate)))...)
	frames, err := encodeOpus(pcm)
	if err != nil {
		return nil, err
	}
	s := &speech{Frames: frames, Source: source}
	if mode == "speech" {
		s.Voiced = voiced * 50 / pcm.Rate
	}
	return s, nil
}

func decodeFile(path string) (audio.PCM, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return audio.PCM{}, err
	}
	p, _, err := audio.Decode(data, "")
	if err != nil {
		return audio.PCM{}, fmt.Errorf("%s: %w", path, err)
	}
	return p, nil
}

// flite synthesises text with the slt voice (16 kHz), which the offline
// speech recogniser understands well.
func flite(text string) (audio.PCM, error) {
	bin, err := exec.LookPath("flite")
	if err != nil {
		return audio.PCM{}, err
	}
	dir, err := os.MkdirTemp("", "callload-")
	if err != nil {
		return audio.PCM{}, err
	}
	defer func() { _ = os.RemoveAll(dir) }()
	out := filepath.Join(dir, "speech.wav")
	if b, err := exec.Command(bin, "-voice", "slt", "-t", text, "-o", out).CombinedOutput(); err != nil {
		return audio.PCM{}, fmt.Errorf("flite: %w: %s", err, b)
	}
	return decodeFile(out)
}

// opusRate resamples p to 48 kHz unless Opus takes its rate as it is.
func opusRate(p audio.PCM) (audio.PCM, error) {
	switch p.Rate {
	case 8000, 12000, 16000, 24000, 48000:
		return p, nil
	}
	return audio.Resample(p, 48000)
}

// encodeOpus cuts p into 20 ms frames (zero-padding the last) and encodes
// each as one Opus packet, VoIP mode, no DTX: like a browser, the caller
// sends a packet every 20 ms even in silence.
func encodeOpus(p audio.PCM) ([][]byte, error) {
	enc, err := opus.NewEncoder(p.Rate, 1, opus.AppVoIP)
	if err != nil {
		return nil, fmt.Errorf("opus encoder: %w", err)
	}
	n := p.Rate / 50
	buf := make([]byte, 1500)
	var frames [][]byte
	for off := 0; off < len(p.Samples); off += n {
		frame := make([]int16, n)
		copy(frame, p.Samples[off:])
		m, err := enc.Encode(frame, buf)
		if err != nil {
			return nil, fmt.Errorf("opus encode: %w", err)
		}
		frames = append(frames, append([]byte(nil), buf[:m]...))
	}
	return frames, nil
}

// synthVoice is a speech-like signal for machines without flite: a glottal
// harmonic series (f0 about 120 Hz with slow intonation) shaped by two
// formant-like peaks, amplitude-modulated at a syllable rate of 4 Hz, with
// a short gap every 0.8 s like the gaps between words.
func synthVoice(rate int, d time.Duration) audio.PCM {
	n := int(d.Seconds() * float64(rate))
	out := make([]int16, n)
	phase := 0.0
	for i := range out {
		t := float64(i) / float64(rate)
		f0 := 120 + 20*math.Sin(2*math.Pi*0.7*t)
		phase += 2 * math.Pi * f0 / float64(rate)
		var v float64
		for k := 1; k*int(f0) < rate/2 && k <= 30; k++ {
			f := float64(k) * f0
			formant := math.Exp(-sq((f-700)/300)) + 0.6*math.Exp(-sq((f-1200)/400)) + 0.2
			v += formant / float64(k) * math.Sin(float64(k)*phase)
		}
		syllable := math.Pow(math.Abs(math.Sin(math.Pi*4*t)), 0.6)
		if math.Mod(t, 0.8) > 0.65 {
			syllable = 0
		}
		out[i] = int16(6000 * syllable * v)
	}
	return audio.PCM{Samples: out, Rate: rate}
}

func sq(x float64) float64 { return x * x }
