package e2e

import (
	"bytes"
	"encoding/binary"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"testing"
	"time"
)

// FliteWAV writes a 16-bit mono WAV file for a fake microphone and returns
// its path: silenceBefore of silence, text in flite's slt voice
// (pocketsphinx hears it well; nothing when text is empty), then
// silenceAfter, at flite's rate (16 kHz when text is empty).
func FliteWAV(t testing.TB, text string, silenceBefore, silenceAfter time.Duration) string {
	t.Helper()
	dir := t.TempDir()
	rate := 16000
	var speech []byte
	if text != "" {
		raw := filepath.Join(dir, "flite.wav")
		if out, err := exec.Command("flite", "-voice", "slt", "-t", text, "-o", raw).CombinedOutput(); err != nil {
			t.Fatalf("flite: %v\n%s", err, out)
		}
		var err error
		if speech, rate, err = wavPCM(raw); err != nil {
			t.Fatal(err)
		}
	}
	silence := func(d time.Duration) []byte { return make([]byte, int(d.Seconds()*float64(rate))*2) }
	pcm := slices.Concat(silence(silenceBefore), speech, silence(silenceAfter))
	path := filepath.Join(dir, "speech.wav")
	if err := os.WriteFile(path, wavFile(pcm, rate), 0o644); err != nil {
		t.Fatal(err)
	}
	return path
}

// wavPCM returns the data chunk of a 16-bit mono PCM WAV file and its rate.
func wavPCM(path string) ([]byte, int, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, 0, err
	}
	if len(b) < 12 || string(b[:4]) != "RIFF" || string(b[8:12]) != "WAVE" {
		return nil, 0, fmt.Errorf("%s: not a WAV file", path)
	}
	rate, bits, channels := 0, 0, 0
	for p := 12; p+8 <= len(b); {
		id, size := string(b[p:p+4]), int(binary.LittleEndian.Uint32(b[p+4:p+8]))
		body := b[p+8 : min(p+8+size, len(b))]
		switch id {
		case "fmt ":
			if len(body) < 16 {
				return nil, 0, fmt.Errorf("%s: short fmt chunk", path)
			}
			channels = int(binary.LittleEndian.Uint16(body[2:4]))
			rate = int(binary.LittleEndian.Uint32(body[4:8]))
			bits = int(binary.LittleEndian.Uint16(body[14:16]))
		case "data":
			if bits != 16 || channels != 1 {
				return nil, 0, fmt.Errorf("%s: %d-bit %d-channel, want 16-bit mono", path, bits, channels)
			}
			return body, rate, nil
		}
		p += 8 + size + size%2
	}
	return nil, 0, fmt.Errorf("%s: no data chunk", path)
}

// wavFile wraps 16-bit mono PCM in a WAV header.
func wavFile(pcm []byte, rate int) []byte {
	var b bytes.Buffer
	le := binary.LittleEndian
	b.WriteString("RIFF")
	_ = binary.Write(&b, le, uint32(36+len(pcm)))
	b.WriteString("WAVEfmt ")
	_ = binary.Write(&b, le, uint32(16))
	_ = binary.Write(&b, le, uint16(1)) // PCM
	_ = binary.Write(&b, le, uint16(1)) // mono
	_ = binary.Write(&b, le, uint32(rate))
	_ = binary.Write(&b, le, uint32(rate*2))
	_ = binary.Write(&b, le, uint16(2))
	_ = binary.Write(&b, le, uint16(16))
	b.WriteString("data")
	_ = binary.Write(&b, le, uint32(len(pcm)))
	b.Write(pcm)
	return b.Bytes()
}
