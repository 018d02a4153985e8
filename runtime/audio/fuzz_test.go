package audio

import (
	"bytes"
	"encoding/binary"
	"errors"
	"os"
	"path/filepath"
	"testing"
	"time"
)

// FuzzDecode checks that Decode never panics or hangs and that it either
// returns samples or one of the package's error kinds.
func FuzzDecode(f *testing.F) {
	// Seeds stay small: the fuzzer minimises every new interesting input,
	// and minimising a 60 KB WAV for a minute looks like a hang.
	files, _ := filepath.Glob("testdata/*")
	for _, file := range files {
		data, err := os.ReadFile(file)
		if err != nil || filepath.Ext(file) == ".md" {
			continue
		}
		f.Add(shortenWAV(data, 1024))
	}
	for _, s := range []string{"", "RIFF", "OggS", "\x1a\x45\xdf\xa3", "ID3", "\xff\xfb\x90\x64", "fLaC"} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		start := time.Now()
		p, format, err := Decode(data, "", WithMaxDuration(time.Minute))
		if elapsed := time.Since(start); elapsed > 5*time.Second {
			t.Errorf("Decode of %d bytes took %v", len(data), elapsed)
		}
		if err != nil {
			for _, kind := range []error{ErrUnsupportedFormat, ErrCorrupt, ErrEmpty, ErrTooLong} {
				if errors.Is(err, kind) {
					return
				}
			}
			t.Fatalf("error %v is none of the package's kinds", err)
		}
		if len(p.Samples) == 0 || p.Rate <= 0 || format == FormatUnknown {
			t.Fatalf("success with %d samples at %d Hz, format %v", len(p.Samples), p.Rate, format)
		}
		if p.Duration() > time.Minute {
			t.Fatalf("decoded %v past the cap", p.Duration())
		}
	})
}

// shortenWAV cuts the data chunk of a WAV file to at most n bytes, keeping
// the file valid; other input is returned as it is.
func shortenWAV(b []byte, n int) []byte {
	i := bytes.Index(b, []byte("data"))
	if !bytes.HasPrefix(b, []byte("RIFF")) || i < 0 || len(b) < i+8+n {
		return b
	}
	out := bytes.Clone(b[:i+8+n])
	binary.LittleEndian.PutUint32(out[i+4:], uint32(n))
	binary.LittleEndian.PutUint32(out[4:], uint32(len(out)-8))
	return out
}
