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
func (u *utterance) Duration() time.Duration { return time.Duration(len(u.Frames)) * frameDuration }

// loadUtterance makes text into an utterance with flite (a synthetic voice
// where flite is missing), or reads wavPath if set.
func loadUtterance(text, wavPath string) (*utterance, error) {
	var (
		pcm    audio.PCM
		source string
		err    error
	)
	switch {
	case wavPath != "":
		pcm, err = decodeFile(wavPath)
		source = "file " + filepath.Base(wavPath)
	default:
		pcm, err = flite(text)
		source = fmt.Sprintf("flite %q", text)
		if errors.Is(err, exec.ErrNotFound) {
			pcm, source, err = synthVoice(16000, 2*time.Second), "synthetic voice", nil
		}
	}
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
	frames, err := encodeOpus(pcm)
	if err != nil {
		return nil, err
	}
	return &utterance{Frames: frames, Source: source}, nil
}

// silenceFrames is one second of a caller's silence as Opus packets, which
// a caller loops between utterances: RTP never stops, as in a browser.
func silenceFrames() ([][]byte, error) {
	return encodeOpus(audio.PCM{Samples: make([]int16, 48000), Rate: 48000})
}

// trimSilence cuts the 20 ms frames before the first and after the last
// frame whose RMS reaches floor.
func trimSilence(p audio.PCM, floor float64) audio.PCM {
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
		return audio.PCM{Rate: p.Rate}
	}
	return audio.PCM{Samples: p.Samples[first*n : min((last+1)*n, len(p.Samples))], Rate: p.Rate}
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

// flite synthesises text with the slt voice (16 kHz).
func flite(text string) (audio.PCM, error) {
	bin, err := exec.LookPath("flite")
	if err != nil {
		return audio.PCM{}, err
	}
	dir, err := os.MkdirTemp("", "turns-")
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

// encodeOpus cuts p into 20 ms frames (zero-padding the last) and encodes
// each as one Opus packet, VoIP mode, no DTX.
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

// synthVoice is a speech-like signal for machines without flite (from
// bench/callload): a glottal harmonic series shaped by two formant-like
// peaks, amplitude-modulated at a syllable rate of 4 Hz.
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
		syllable := 0.3 + 0.7*math.Pow(math.Abs(math.Sin(math.Pi*4*t)), 0.6)
		out[i] = int16(6000 * syllable * v)
	}
	return audio.PCM{Samples: out, Rate: rate}
}

func sq(x float64) float64 { return x * x }
