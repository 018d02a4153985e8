package main

import (
	"context"
	"errors"
	"io"
	"testing"
	"time"

	"github.com/parleyhq/parley/runtime/pcm"
	"github.com/parleyhq/parley/runtime/provider"
)

// spoken is a whole synthesis as the runtime receives it.
type spoken struct {
	pcm        []int16
	rate       int
	chunks     int
	firstChunk time.Duration // from the call to the first chunk
	total      time.Duration // from the call to the end of the stream
}

func (s spoken) duration() time.Duration {
	return pcm.Audio{Samples: s.pcm, Rate: s.rate}.Duration()
}

// synthesize reads a whole synthesis from tts.
func synthesize(t testing.TB, tts provider.TTS, req provider.TTSRequest) spoken {
	t.Helper()
	start := time.Now()
	st, err := tts.Synthesize(context.Background(), req)
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	var s spoken
	for {
		a, err := st.Recv()
		if err != nil {
			if !errors.Is(err, io.EOF) {
				t.Fatalf("Recv: %v", err)
			}
			break
		}
		if s.chunks == 0 {
			s.firstChunk = time.Since(start)
			s.rate = a.Rate
		}
		if a.Rate != s.rate {
			t.Fatalf("chunk at %d Hz after chunks at %d Hz", a.Rate, s.rate)
		}
		s.chunks++
		s.pcm = append(s.pcm, a.Samples...)
	}
	s.total = time.Since(start)
	return s
}
