package espeak

import (
	"errors"
	"os/exec"
	"testing"
	"time"

	"github.com/parleyhq/parley/runtime/pcm"
)

func needEspeak(t *testing.T) {
	t.Helper()
	if !Installed() {
		if testing.Short() {
			t.Skip("espeak-ng is not installed (Debian package espeak-ng)")
		}
		t.Fatal("espeak-ng is not installed: make deps installs it (Debian package espeak-ng)")
	}
}

func peak(a pcm.Audio) int16 {
	var p int16
	for _, s := range a.Samples {
		p = max(p, s, -s)
	}
	return p
}

func TestSpeak(t *testing.T) {
	needEspeak(t)
	for _, tc := range []struct{ voice, text string }{
		{"en-us", "where is my order"},
		{"ko", "주문한 상품이 언제 도착하나요?"},
		{"en-us", "-v is read, not parsed"},
	} {
		speech, err := Speak(tc.voice, tc.text)
		if err != nil {
			t.Fatal(err)
		}
		if speech.Rate != Rate || speech.Duration() < 500*time.Millisecond || speech.Duration() > 5*time.Second {
			t.Errorf("%s %q: %v at %d Hz, want 0.5-5 s at 16 kHz", tc.voice, tc.text, speech.Duration(), speech.Rate)
		}
		if p := peak(speech); p < 3000 {
			t.Errorf("%s %q: peak %d: not speech", tc.voice, tc.text, p)
		}
	}
}

// TestSpeakSSMLBreak checks that a break becomes silence of its length:
// the longest quiet run of the output is within 50 ms of 800 ms.
func TestSpeakSSMLBreak(t *testing.T) {
	needEspeak(t)
	speech, err := SpeakSSML("ko", `<speak>주문 번호는 <break time="800ms"/> 삼 사 오입니다.</speak>`)
	if err != nil {
		t.Fatal(err)
	}
	floor := peak(speech) / 100
	var run, longest int
	for _, s := range speech.Samples {
		if max(s, -s) <= floor {
			run++
			longest = max(longest, run)
		} else {
			run = 0
		}
	}
	got := time.Duration(longest) * time.Second / Rate
	if got < 750*time.Millisecond || got > 850*time.Millisecond {
		t.Fatalf("longest quiet run %v, want the 800 ms break", got)
	}
}

func TestSpeakWithoutEspeak(t *testing.T) {
	t.Setenv("PATH", t.TempDir())
	if _, err := Speak("en-us", "hello"); !errors.Is(err, exec.ErrNotFound) {
		t.Fatalf("err = %v, want exec.ErrNotFound", err)
	}
}
