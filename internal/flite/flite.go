// Package flite makes test speech with the flite binary (Debian package
// flite) for tests and benchmarks: its 16 kHz voices are what the offline
// recogniser hears well (about 7% WER for slt, against 75% for espeak-ng).
// It is the one place that runs flite; internal/e2e (FliteWAV, Speech48k),
// plugins/internal/speechtest, runtime/vad's tests, bench/internal/speech
// and test/turns wrap it. It depends on runtime/audio alone, so unit tests
// can use it.
package flite

import (
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"time"

	"github.com/parleyhq/parley/runtime/audio"
	"github.com/parleyhq/parley/runtime/pcm"
)

// Voices are the 16 kHz voices of the flite binary that pocketsphinx
// recognises well; the first is the default of the test kit.
var Voices = []string{"slt", "rms", "awb"}

// Phone is one segment of flite's synthesis: a phone name ("pau" for a
// pause) and the time its audio ends, from the start of the output.
type Phone struct {
	Name string
	End  time.Duration
}

// Installed reports whether flite is on the PATH.
func Installed() bool {
	_, err := exec.LookPath("flite")
	return err == nil
}

// Speak has flite read text in voice (16 kHz mono). Without flite on the
// PATH the error wraps exec.ErrNotFound.
func Speak(voice, text string) (pcm.Audio, error) {
	speech, _, err := run(voice, "-t", text)
	return speech, err
}

// SpeakSSML has flite read an SSML document in voice (16 kHz mono) and
// returns the phones with their end times as flite placed them: a
// <break/> becomes a "pau" phone (flite honours where a break is, not its
// time). Without flite on the PATH the error wraps exec.ErrNotFound.
func SpeakSSML(voice, doc string) (pcm.Audio, []Phone, error) {
	speech, out, err := run(voice, "-ssml", "-psdur", "-t", doc)
	if err != nil {
		return pcm.Audio{}, nil, err
	}
	phones, err := parsePhones(out)
	if err != nil {
		return pcm.Audio{}, nil, fmt.Errorf("flite -voice %s -psdur: %w", voice, err)
	}
	return speech, phones, nil
}

// run runs flite with args into a temporary WAV file and returns the
// decoded speech and what flite printed on its standard output.
func run(voice string, args ...string) (pcm.Audio, string, error) {
	bin, err := exec.LookPath("flite")
	if err != nil {
		return pcm.Audio{}, "", fmt.Errorf("flite is not installed (Debian package flite): %w", err)
	}
	dir, err := os.MkdirTemp("", "flite-")
	if err != nil {
		return pcm.Audio{}, "", fmt.Errorf("flite: %w", err)
	}
	defer func() { _ = os.RemoveAll(dir) }()
	out := filepath.Join(dir, "speech.wav")
	cmd := exec.Command(bin, append(append([]string{"-voice", voice}, args...), "-o", out)...)
	var stdout, stderr strings.Builder
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	if err := cmd.Run(); err != nil {
		return pcm.Audio{}, "", fmt.Errorf("flite -voice %s: %w: %s%s", voice, err, stdout.String(), stderr.String())
	}
	data, err := os.ReadFile(out)
	if err != nil {
		return pcm.Audio{}, "", fmt.Errorf("flite: %w", err)
	}
	speech, _, err := audio.Decode(data, "audio/wav")
	if err != nil {
		return pcm.Audio{}, "", fmt.Errorf("flite -voice %s output: %w", voice, err)
	}
	return speech, stdout.String(), nil
}

// parsePhones reads flite's -psdur output: "name:end name:end ...", end
// in seconds.
func parsePhones(out string) ([]Phone, error) {
	var phones []Phone
	for _, f := range strings.Fields(out) {
		i := strings.LastIndexByte(f, ':')
		if i <= 0 {
			return nil, fmt.Errorf("segment %q: want name:end", f)
		}
		end, err := strconv.ParseFloat(f[i+1:], 64)
		if err != nil {
			return nil, fmt.Errorf("segment %q: %w", f, err)
		}
		phones = append(phones, Phone{Name: f[:i], End: time.Duration(end * float64(time.Second))})
	}
	if len(phones) == 0 {
		return nil, fmt.Errorf("no segments in %q", out)
	}
	return phones, nil
}
