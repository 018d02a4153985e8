package speechtest

import (
	"testing"

	"github.com/parleyhq/parley/internal/flite"
)

// FliteVoices are the 16 kHz voices of the flite binary that pocketsphinx
// recognises well.
var FliteVoices = flite.Voices

// Flite speaks text with the flite binary's voice (internal/flite) and
// returns its samples (16 kHz mono). The test fails when flite is missing
// (Debian package flite).
func Flite(t testing.TB, voice, text string) []int16 {
	t.Helper()
	pcm, err := flite.Speak(voice, text)
	if err != nil {
		t.Fatal(err)
	}
	if pcm.Rate != 16000 {
		t.Fatalf("flite voice %s speaks at %d Hz, want 16000", voice, pcm.Rate)
	}
	return pcm.Samples
}
