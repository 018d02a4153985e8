package host

import (
	"context"
	"errors"
	"io"
	"log/slog"
	"slices"
	"strconv"
	"testing"
	"time"

	"github.com/parleyhq/parley/runtime/pcm"
	"github.com/parleyhq/parley/runtime/provider"
)

// The plugin boundary benchmarks run against a real plugin process (the
// fake, built by TestMain) and report the cost of one hop as p50 and p99:
//
//   - stt-frame: runtime sends a 20 ms frame, the plugin answers a partial;
//     one op is that round trip (two hops).
//   - chat-delta, tts-chunk: the plugin streams as fast as it can; one op
//     is the gap between two values arriving at the runtime (one hop, plus
//     the plugin's own trivial work).
func reportQuantiles(b *testing.B, d []time.Duration) {
	b.Helper()
	if len(d) == 0 {
		return
	}
	slices.Sort(d)
	q := func(p float64) float64 { return float64(d[int(p*float64(len(d)-1))].Microseconds()) }
	b.ReportMetric(q(0.50), "p50-us")
	b.ReportMetric(q(0.99), "p99-us")
}

func benchPlugin(b *testing.B) *Process {
	b.Helper()
	h := New(Config{Dir: pluginDir, Logger: discardLogger()})
	b.Cleanup(func() { _ = h.Close() })
	p, err := h.Plugin("fake-stt", "")
	if err != nil {
		b.Fatal(err)
	}
	if _, err := p.WaitHealthy(context.Background()); err != nil {
		b.Fatal(err)
	}
	return p
}

func BenchmarkSTTFrameRoundTrip(b *testing.B) {
	p := benchPlugin(b)
	st, err := p.STT().StreamSTT(context.Background(), provider.STTConfig{Language: "en", SampleRate: 16000})
	if err != nil {
		b.Fatal(err)
	}
	defer st.Close()
	frame := make([]int16, 320)
	lat := make([]time.Duration, 0, b.N)
	b.ResetTimer()
	for range b.N {
		start := time.Now()
		if err := st.SendAudio(frame); err != nil {
			b.Fatal(err)
		}
		if _, err := st.Recv(); err != nil {
			b.Fatal(err)
		}
		lat = append(lat, time.Since(start))
	}
	b.StopTimer()
	reportQuantiles(b, lat)
}

func benchStream[T any](b *testing.B, open func(n int) (provider.Stream[T], error)) {
	st, err := open(b.N)
	if err != nil {
		b.Fatal(err)
	}
	defer st.Close()
	gaps := make([]time.Duration, 0, b.N)
	b.ResetTimer()
	last := time.Now()
	for {
		_, err := st.Recv()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			b.Fatal(err)
		}
		now := time.Now()
		gaps = append(gaps, now.Sub(last))
		last = now
	}
	b.StopTimer()
	reportQuantiles(b, gaps[1:])
}

func BenchmarkChatDeltaHop(b *testing.B) {
	p := benchPlugin(b)
	benchStream(b, func(n int) (provider.Stream[provider.ChatDelta], error) {
		return p.Chat().Complete(context.Background(), provider.ChatRequest{Messages: []provider.Message{{Role: provider.RoleUser, Content: benchText(n)}}})
	})
}

func BenchmarkTTSChunkHop(b *testing.B) {
	p := benchPlugin(b)
	benchStream(b, func(n int) (provider.Stream[pcm.Audio], error) {
		return p.TTS().Synthesize(context.Background(), provider.TTSRequest{Text: benchText(n)})
	})
}

func benchText(n int) string { return "bench " + strconv.Itoa(n+1) }

func discardLogger() *slog.Logger { return slog.New(slog.NewTextHandler(io.Discard, nil)) }
