package main

import (
	"context"
	"testing"
	"time"

	"github.com/parleyhq/parley/runtime/pcm"
	"github.com/parleyhq/parley/runtime/provider"
)

// BenchmarkStreamRTF measures the streaming path's real-time factor:
// processing time over audio duration, for sentences sent in 20 ms frames
// with partials, an EndUtterance and the final. 1 would be just real time.
func BenchmarkStreamRTF(b *testing.B) {
	r := newTestRecognizer(b)
	recs := speak(b)
	ctx := context.Background()
	// A stream first, so that no measured one waits for a model load.
	st, err := r.StreamSTT(ctx, provider.STTConfig{SampleRate: 16000})
	if err != nil {
		b.Fatal(err)
	}
	st.Close()
	var audio, busy time.Duration
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		rec := recs[i%len(recs)]
		start := time.Now()
		st, err := r.StreamSTT(ctx, provider.STTConfig{SampleRate: 16000})
		if err != nil {
			b.Fatal(err)
		}
		streamUtterance(b, st, rec.pcm)
		st.Close()
		busy += time.Since(start)
		audio += pcm.Audio{Samples: rec.pcm, Rate: 16000}.Duration()
	}
	b.ReportMetric(busy.Seconds()/audio.Seconds(), "rtf")
}
