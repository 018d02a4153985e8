// Package flite makes test speech with the flite binary (Debian package
// flite) for tests and benchmarks: its 16 kHz voices are what the offline
// recogniser hears well (about 7% WER for slt, against 75% for espeak-ng).
// It is the one place that runs flite; internal/e2e (FliteWAV, Speech48k),
// plugins/internal/speechtest, runtime/vad's tests and bench/internal/speech
// wrap it. It depends on runtime/audio alone, so unit tests can use it.
package flite

import (
	"fmt"
	"os"
	"os/exec"
	"path/filepath"

	"github.com/parleyhq/parley/runtime/audio"
)

// Voices are the 16 kHz voices of the flite binary that pocketsphinx
// recognises well; the first is the default of the test kit.
var Voices = []string{"slt", "rms", "awb"}

// Installed reports whether flite is on the PATH.
func Installed() bool {
	_, err := exec.LookPath("flite")
	return err == nil
}

// Speak has flite read text in voice (16 kHz mono). Without flite on the
// PATH the error wraps exec.ErrNotFound.
func Speak(voice, text string) (audio.PCM, error) {
	bin, err := exec.LookPath("flite")
	if err != nil {
		return audio.PCM{}, fmt.Errorf("flite is not installed (Debian package flite): %w", err)
	}
	dir, err := os.MkdirTemp("", "flite-")
	if err != nil {
		return audio.PCM{}, fmt.Errorf("flite: %w", err)
	}
	defer func() { _ = os.RemoveAll(dir) }()
	out := filepath.Join(dir, "speech.wav")
	if b, err := exec.Command(bin, "-voice", voice, "-t", text, "-o", out).CombinedOutput(); err != nil {
		return audio.PCM{}, fmt.Errorf("flite -voice %s: %w: %s", voice, err, b)
	}
	data, err := os.ReadFile(out)
	if err != nil {
		return audio.PCM{}, fmt.Errorf("flite: %w", err)
	}
	pcm, _, err := audio.Decode(data, "audio/wav")
	if err != nil {
		return audio.PCM{}, fmt.Errorf("flite -voice %s output: %w", voice, err)
	}
	return pcm, nil
}
