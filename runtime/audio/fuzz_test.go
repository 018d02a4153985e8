package audio

import (
	"bytes"
	"encoding/binary"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"runtime"
	"runtime/debug"
	"testing"
	"time"
)

// fuzzMaxDuration is the cap FuzzDecode decodes with.
const fuzzMaxDuration = 10 * time.Second

// maxDecodeAlloc bounds what Decode may allocate for n bytes of input
// under fuzzMaxDuration. Measured on the fixtures: at most 2.9 MB (the MP3
// decoder's tables and output for a 10 KB file); the output is at most
// 960 KB (10 s at 48 kHz); containers cost a small multiple of their size.
// A decoder that believed a size field, or expanded without a cap, would
// allocate far more.
func maxDecodeAlloc(n int) uint64 { return 8<<20 + 64*uint64(n) }

// FuzzDecode checks that Decode never panics or hangs, that it either
// returns samples or one of the package's error kinds, and that the
// memory it allocates is bounded by its input size and the duration cap.
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
		var before, after runtime.MemStats
		runtime.ReadMemStats(&before)
		start := time.Now()
		// A hang never returns to be timed: crash with every stack, which
		// makes the fuzzer keep the input.
		watchdog := time.AfterFunc(20*time.Second, func() {
			debug.SetTraceback("all")
			panic(fmt.Sprintf("Decode of %d bytes has not returned after 20 s", len(data)))
		})
		p, format, err := Decode(data, "", WithMaxDuration(fuzzMaxDuration))
		watchdog.Stop()
		elapsed := time.Since(start)
		runtime.ReadMemStats(&after)
		if elapsed > 5*time.Second {
			t.Errorf("Decode of %d bytes took %v", len(data), elapsed)
		}
		if alloc := after.TotalAlloc - before.TotalAlloc; alloc > maxDecodeAlloc(len(data)) {
			t.Errorf("Decode of %d bytes allocated %d bytes (bound %d)", len(data), alloc, maxDecodeAlloc(len(data)))
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
		if p.Duration() > fuzzMaxDuration {
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
