package e2e

import (
	"os"
	"path/filepath"
	"slices"
	"testing"
	"time"

	"github.com/parleyhq/parley/internal/flite"
	"github.com/parleyhq/parley/runtime/audio"
)

// Flite has flite read text in its slt voice (16 kHz mono); see
// internal/flite. Without flite on the PATH the error wraps
// exec.ErrNotFound.
func Flite(text string) (audio.PCM, error) {
	return flite.Speak("slt", text)
}

// FliteWAV writes a 16-bit mono WAV file for a fake microphone or an
// upload and returns its path: silenceBefore of silence, text in flite's
// slt voice (nothing when text is empty), then silenceAfter, at flite's
// rate (16 kHz when text is empty).
func FliteWAV(t testing.TB, text string, silenceBefore, silenceAfter time.Duration) string {
	t.Helper()
	speech := audio.PCM{Rate: 16000}
	if text != "" {
		var err error
		if speech, err = Flite(text); err != nil {
			t.Fatal(err)
		}
	}
	silence := func(d time.Duration) []int16 { return make([]int16, int(d.Seconds()*float64(speech.Rate))) }
	pcm := audio.PCM{Samples: slices.Concat(silence(silenceBefore), speech.Samples, silence(silenceAfter)), Rate: speech.Rate}
	path := filepath.Join(t.TempDir(), "speech.wav")
	if err := os.WriteFile(path, audio.EncodeWAV(pcm), 0o644); err != nil {
		t.Fatal(err)
	}
	return path
}

// Speech48k returns flite's reading of text (voice slt) as 48 kHz
// samples, ready to Opus-encode.
func Speech48k(t testing.TB, text string) []int16 {
	t.Helper()
	pcm, err := Flite(text)
	if err == nil {
		pcm, err = audio.Resample(pcm, 48000)
	}
	if err != nil {
		t.Fatal(err)
	}
	return pcm.Samples
}
