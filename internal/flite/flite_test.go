package flite

import (
	"errors"
	"os/exec"
	"testing"
	"time"
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

func TestSpeakSSML(t *testing.T) {
	if !Installed() {
		if testing.Short() {
			t.Skip("flite is not installed (Debian package flite)")
		}
		t.Fatal("flite is not installed: make deps installs it (Debian package flite)")
	}
	speech, phones, err := SpeakSSML("slt", `<speak>my order number is <break time="900ms"/> four five six</speak>`)
	if err != nil {
		t.Fatal(err)
	}
	// A pause at each end and one at the break.
	var pauses int
	for _, p := range phones {
		if p.Name == "pau" {
			pauses++
		}
	}
	if pauses != 3 || phones[0].Name != "pau" || phones[len(phones)-1].Name != "pau" {
		t.Fatalf("phones %v: want pau at both ends and one at the break", phones)
	}
	if d, end := speech.Duration(), phones[len(phones)-1].End; d < end-20*time.Millisecond || d > end+20*time.Millisecond {
		t.Fatalf("audio lasts %v, the phones end at %v", d, end)
	}
}

func TestParsePhones(t *testing.T) {
	got, err := parsePhones("pau:0.232 y:0.278\n")
	if err != nil || len(got) != 2 || got[1] != (Phone{"y", 278 * time.Millisecond}) {
		t.Fatalf("parsePhones = %v, %v", got, err)
	}
	for _, bad := range []string{"", "pau", "pau:x", ":0.1"} {
		if _, err := parsePhones(bad); err == nil {
			t.Errorf("parsePhones(%q): no error", bad)
		}
	}
}
