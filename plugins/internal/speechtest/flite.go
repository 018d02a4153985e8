package speechtest

import (
	"os/exec"
	"path/filepath"
	"strconv"
	"testing"
)

// FliteVoices are the 16 kHz voices of the flite binary that pocketsphinx
// recognises well.
var FliteVoices = []string{"slt", "rms", "awb"}

// Flite speaks text with the flite binary's voice into a file under
// t.TempDir and returns its samples (16 kHz mono). The test fails when
// flite is missing (Debian package flite).
func Flite(t testing.TB, voice, text string) []int16 {
	t.Helper()
	bin, err := exec.LookPath("flite")
	if err != nil {
		t.Fatalf("flite is not installed (Debian package flite): %v", err)
	}
	path := filepath.Join(t.TempDir(), voice+"-"+strconv.Itoa(len(text))+".wav")
	if out, err := exec.Command(bin, "-voice", voice, "-t", text, "-o", path).CombinedOutput(); err != nil {
		t.Fatalf("flite -voice %s: %v: %s", voice, err, out)
	}
	pcm, rate, err := ReadWAV(path)
	if err != nil {
		t.Fatal(err)
	}
	if rate != 16000 {
		t.Fatalf("flite voice %s speaks at %d Hz, want 16000", voice, rate)
	}
	return pcm
}
