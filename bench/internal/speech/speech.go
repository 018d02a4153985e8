// Package speech makes what simulated callers say: audio from a file,
// from flite (internal/flite) or synthesised, encoded as the 20 ms Opus packets a browser
// sends.
package speech

import (
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"time"

	"gopkg.in/hraban/opus.v2"

	"github.com/parleyhq/parley/internal/flite"
	"github.com/parleyhq/parley/runtime/audio"
)

// FrameDuration is the packet time of every frame sent and expected.
const FrameDuration = 20 * time.Millisecond

// DecodeFile reads an audio file (any format audio.Decode knows).
func DecodeFile(path string) (audio.PCM, error) {
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

// Load reads wavPath when it is set, or has flite say text; without flite
// it synthesises d of a speech-like signal following env instead. source
// says which, for the report.
func Load(wavPath, text string, d time.Duration, env Envelope) (pcm audio.PCM, source string, err error) {
	switch {
	case wavPath != "":
		pcm, err = DecodeFile(wavPath)
		return pcm, "file " + filepath.Base(wavPath), err
	default:
		pcm, err = flite.Speak("slt", text)
		if errors.Is(err, exec.ErrNotFound) {
			return Synth(16000, d, env), "synthetic voice", nil
		}
		return pcm, fmt.Sprintf("flite %q", text), err
	}
}

// EncodeOpus cuts p into 20 ms frames (zero-padding the last) and encodes
// each as one Opus packet, VoIP mode, no DTX: like a browser, a caller
// sends a packet every 20 ms even in silence. p.Rate must be one Opus
// takes (8, 12, 16, 24 or 48 kHz).
func EncodeOpus(p audio.PCM) ([][]byte, error) {
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
