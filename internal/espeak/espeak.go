// Package espeak makes test speech with the espeak-ng binary (Debian
// package espeak-ng) for tests and benchmarks: it speaks languages flite
// does not, Korean among them. The offline recogniser hears it poorly
// (about 75% WER in English, see internal/flite), so English test speech
// that must be transcribed comes from flite. It is the one place that runs
// the espeak-ng binary (plugins/espeak links the library instead). It
// depends on runtime/audio alone, so unit tests can use it.
package espeak

import (
	"fmt"
	"os"
	"os/exec"
	"path/filepath"

	"github.com/parleyhq/parley/runtime/audio"
	"github.com/parleyhq/parley/runtime/pcm"
)

// Rate is the sample rate of the speech Speak returns (espeak-ng's own
// 22050 Hz, resampled).
const Rate = 16000

// Installed reports whether espeak-ng is on the PATH.
func Installed() bool {
	_, err := exec.LookPath("espeak-ng")
	return err == nil
}

// Speak has espeak-ng read text in voice (a name of `espeak-ng --voices`,
// such as en-us or ko) and returns 16 kHz mono speech. espeak-ng reads an
// unknown voice in its default one, without an error: callers keep to
// voices they know. Without espeak-ng
// on the PATH the error wraps exec.ErrNotFound.
func Speak(voice, text string) (pcm.Audio, error) {
	return run(voice, text)
}

// SpeakSSML is Speak for an SSML document (espeak-ng -m): a
// <break time="900ms"/> becomes that much silence.
func SpeakSSML(voice, doc string) (pcm.Audio, error) {
	return run(voice, doc, "-m")
}

func run(voice, text string, flags ...string) (pcm.Audio, error) {
	bin, err := exec.LookPath("espeak-ng")
	if err != nil {
		return pcm.Audio{}, fmt.Errorf("espeak-ng is not installed (Debian package espeak-ng): %w", err)
	}
	dir, err := os.MkdirTemp("", "espeak-")
	if err != nil {
		return pcm.Audio{}, fmt.Errorf("espeak-ng: %w", err)
	}
	defer func() { _ = os.RemoveAll(dir) }()
	out := filepath.Join(dir, "speech.wav")
	// "--" ends the options, so a text starting with "-" is read, not parsed.
	args := append(append([]string{"-v", voice, "-w", out}, flags...), "--", text)
	if b, err := exec.Command(bin, args...).CombinedOutput(); err != nil {
		return pcm.Audio{}, fmt.Errorf("espeak-ng -v %s: %w: %s", voice, err, b)
	}
	data, err := os.ReadFile(out)
	if err != nil {
		return pcm.Audio{}, fmt.Errorf("espeak-ng: %w", err)
	}
	speech, _, err := audio.Decode(data, "audio/wav")
	if err != nil {
		return pcm.Audio{}, fmt.Errorf("espeak-ng -v %s output: %w", voice, err)
	}
	if len(speech.Samples) == 0 {
		return pcm.Audio{}, fmt.Errorf("espeak-ng -v %s: no audio", voice)
	}
	speech, err = audio.Resample(speech, Rate)
	if err != nil {
		return pcm.Audio{}, fmt.Errorf("espeak-ng -v %s: %w", voice, err)
	}
	return speech, nil
}
