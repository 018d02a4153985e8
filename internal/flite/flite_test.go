package flite

import (
	"errors"
	"os/exec"
	"testing"
)

func TestSpeak(t *testing.T) {
	if !Installed() {
		if testing.Short() {
			t.Skip("flite is not installed (Debian package flite)")
		}
		t.Fatal("flite is not installed: make deps installs it (Debian package flite)")
	}
	pcm, err := Speak(Voices[0], "hello, where is my order")
	if err != nil {
		t.Fatal(err)
	}
	if pcm.Rate != 16000 || len(pcm.Samples) < 16000/2 {
		t.Fatalf("%d samples at %d Hz, want half a second or more at 16 kHz", len(pcm.Samples), pcm.Rate)
	}
	var peak int16
	for _, s := range pcm.Samples {
		peak = max(peak, s, -s)
	}
	if peak < 3000 {
		t.Fatalf("peak %d: not speech", peak)
	}
}

func TestSpeakWithoutFlite(t *testing.T) {
	t.Setenv("PATH", t.TempDir())
	if _, err := Speak("slt", "hello"); !errors.Is(err, exec.ErrNotFound) {
		t.Fatalf("err = %v, want exec.ErrNotFound", err)
	}
}
