package main

import (
	"context"
	"encoding/binary"
	"errors"
	"hash/fnv"
	"io"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/parleyhq/parley/plugins/internal/speechtest"
	"github.com/parleyhq/parley/runtime/provider"
)

const (
	english = "Thank you for calling Juniper and Company. How can I help you today?"
	korean  = "전화해 주셔서 감사합니다. 무엇을 도와드릴까요?"
)

// longText takes espeak-ng tens of milliseconds and flite over a second.
var longText = strings.Repeat("Your order has been shipped and should arrive within three to five working days. ", 12)

func TestSpeaksEnglishAndKorean(t *testing.T) {
	for _, tc := range []struct {
		name, text, lang, engine string
		rate                     int
	}{
		{"english", english, "en", "espeak", 22050},
		{"english auto", english, "auto", "espeak", 22050},
		{"korean", korean, "ko", "espeak", 22050},
		{"korean auto", korean, "", "espeak", 22050},
		{"flite english", english, "en", "flite", 16000},
		{"flite korean auto falls back to espeak", korean, "auto", "flite", 22050},
		{"brazilian portuguese", "Obrigado por ligar. Como posso ajudar você hoje com o seu pedido?", "pt-BR", "espeak", 22050},
		{"french", "Merci de votre appel. Comment puis-je vous aider avec votre commande aujourd'hui?", "fr", "espeak", 22050},
	} {
		t.Run(tc.name, func(t *testing.T) {
			s := synthesize(t, &speaker{}, provider.TTSRequest{Text: tc.text, Language: tc.lang, Options: provider.Options{"engine": tc.engine}})
			rms := speechtest.RMS(s.pcm)
			t.Logf("%.2f s of audio at %d Hz in %d chunks, RMS %.0f, first chunk after %v, all after %v", s.duration().Seconds(), s.rate, s.chunks, rms, s.firstChunk, s.total)
			if s.rate != tc.rate {
				t.Fatalf("rate %d, want %d", s.rate, tc.rate)
			}
			if rms < 1000 {
				t.Fatalf("RMS %.0f: silent", rms)
			}
			if d := s.duration(); d < 2*time.Second || d > 8*time.Second {
				t.Fatalf("%v of speech for two short sentences", d)
			}
			if s.chunks < 5 {
				t.Fatalf("%d chunks: not streamed", s.chunks)
			}
		})
	}
}

func TestShortSentenceDuration(t *testing.T) {
	for _, engine := range []string{"espeak", "flite"} {
		s := synthesize(t, &speaker{}, provider.TTSRequest{Text: "Hello there.", Options: provider.Options{"engine": engine}})
		if d := s.duration(); d < 500*time.Millisecond || d > 5*time.Second || speechtest.RMS(s.pcm) < 1000 {
			t.Fatalf("%s: %v of audio with RMS %.0f for a short sentence", engine, d, speechtest.RMS(s.pcm))
		}
	}
}

// TestVoicesSoundDifferent checks that the six names are six sounds, and
// that the deep ones are deep and the high ones high.
func TestVoicesSoundDifferent(t *testing.T) {
	for _, tc := range []struct {
		engine, lang, text string
		low, high          []string // voices under 140 Hz, over 150 Hz
	}{
		{"espeak", "en", english, []string{"echo", "fable", "onyx"}, []string{"alloy", "nova", "shimmer"}},
		{"espeak", "ko", korean, []string{"echo", "fable", "onyx"}, []string{"alloy", "nova", "shimmer"}},
		{"flite", "en", english, []string{"echo", "fable", "onyx"}, []string{"alloy", "nova", "shimmer"}},
	} {
		t.Run(tc.engine+" "+tc.lang, func(t *testing.T) {
			pitch := map[string]float64{}
			seen := map[uint64]string{}
			for _, v := range voiceNames {
				s := synthesize(t, &speaker{}, provider.TTSRequest{Text: tc.text, Voice: v, Language: tc.lang, Options: provider.Options{"engine": tc.engine}})
				pitch[v] = speechtest.Pitch(s.pcm, s.rate)
				t.Logf("%-8s %.0f Hz, %.2f s", v, pitch[v], s.duration().Seconds())
				h := fnv.New64a()
				_ = binary.Write(h, binary.LittleEndian, s.pcm)
				if other, ok := seen[h.Sum64()]; ok {
					t.Errorf("%s sounds exactly like %s", v, other)
				}
				seen[h.Sum64()] = v
			}
			for _, v := range tc.low {
				if pitch[v] > 140 {
					t.Errorf("%s at %.0f Hz: want a low voice", v, pitch[v])
				}
			}
			for _, v := range tc.high {
				if pitch[v] < 150 {
					t.Errorf("%s at %.0f Hz: want a high voice", v, pitch[v])
				}
			}
			if pitch["onyx"] >= pitch["echo"] || pitch["nova"] <= pitch["alloy"] {
				t.Errorf("onyx (%.0f Hz) must be deeper than echo (%.0f), nova (%.0f) higher than alloy (%.0f)", pitch["onyx"], pitch["echo"], pitch["nova"], pitch["alloy"])
			}
		})
	}
}

// TestFirstChunkComesEarly checks streaming: the first audio of a long
// text arrives long before its synthesis ends.
func TestFirstChunkComesEarly(t *testing.T) {
	for _, engine := range []string{"espeak", "flite"} {
		t.Run(engine, func(t *testing.T) {
			s := synthesize(t, &speaker{}, provider.TTSRequest{Text: longText, Options: provider.Options{"engine": engine}})
			t.Logf("%s: first chunk after %v, %d chunks (%.1f s of audio) after %v", engine, s.firstChunk, s.chunks, s.duration().Seconds(), s.total)
			if s.firstChunk*5 > s.total {
				t.Fatalf("first chunk after %v of %v: not streamed", s.firstChunk, s.total)
			}
		})
	}
}

// TestCancelStopsPromptly cancels a long synthesis after its first chunk:
// the stream ends at once with the context's error, the rest is never
// synthesised, and the engine serves the next request.
func TestCancelStopsPromptly(t *testing.T) {
	for _, engine := range []string{"espeak", "flite"} {
		t.Run(engine, func(t *testing.T) {
			sp := &speaker{}
			full := synthesize(t, sp, provider.TTSRequest{Text: longText, Options: provider.Options{"engine": engine}})

			ctx, cancel := context.WithCancel(context.Background())
			st, err := sp.Synthesize(ctx, provider.TTSRequest{Text: longText, Options: provider.Options{"engine": engine}})
			if err != nil {
				t.Fatal(err)
			}
			defer st.Close()
			first, err := st.Recv()
			if err != nil {
				t.Fatal(err)
			}
			cancel()
			start := time.Now()
			got := len(first.Samples)
			for {
				a, err := st.Recv()
				if err != nil {
					if !errors.Is(err, context.Canceled) {
						t.Fatalf("Recv after cancel: %v", err)
					}
					break
				}
				got += len(a.Samples)
			}
			t.Logf("stopped %v after cancel, with %d of %d samples", time.Since(start), got, len(full.pcm))
			if took := time.Since(start); took > 200*time.Millisecond {
				t.Fatalf("stream ended %v after cancel", took)
			}
			if got*2 > len(full.pcm) {
				t.Fatalf("%d of %d samples arrived after an early cancel", got, len(full.pcm))
			}
			if again := synthesize(t, sp, provider.TTSRequest{Text: english, Options: provider.Options{"engine": engine}}); speechtest.RMS(again.pcm) < 1000 {
				t.Fatal("no speech after a cancelled synthesis")
			}
		})
	}
}

// TestCloseStopsSynthesis closes the stream without reading it to the end.
func TestCloseStopsSynthesis(t *testing.T) {
	sp := &speaker{}
	st, err := sp.Synthesize(context.Background(), provider.TTSRequest{Text: longText})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := st.Recv(); err != nil {
		t.Fatal(err)
	}
	done := make(chan struct{})
	go func() { _ = st.Close(); close(done) }()
	select {
	case <-done:
	case <-time.After(2 * time.Second):
		t.Fatal("Close did not stop synthesis")
	}
	if err := st.Close(); err != nil {
		t.Fatalf("second Close: %v", err)
	}
}

// TestConcurrentRequestsQueue runs requests at once on both engines: each
// gets all of its own audio (the race detector watches the libraries'
// serialisation).
func TestConcurrentRequestsQueue(t *testing.T) {
	sp := &speaker{}
	want := map[string]int{}
	for _, engine := range []string{"espeak", "flite"} {
		want[engine] = len(synthesize(t, sp, provider.TTSRequest{Text: english, Options: provider.Options{"engine": engine}}).pcm)
	}
	var wg sync.WaitGroup
	for i := range 6 {
		engine := []string{"espeak", "flite"}[i%2]
		wg.Add(1)
		go func() {
			defer wg.Done()
			st, err := sp.Synthesize(context.Background(), provider.TTSRequest{Text: english, Options: provider.Options{"engine": engine}})
			if err != nil {
				t.Error(err)
				return
			}
			chunks, err := provider.Collect(st)
			if err != nil {
				t.Error(err)
				return
			}
			n := 0
			for _, c := range chunks {
				n += len(c.Samples)
			}
			// espeak-ng's pitch flutter runs on across syntheses, so
			// lengths vary by a few samples; a mixed-up stream would not.
			if diff := n - want[engine]; diff*200 > want[engine] || -diff*200 > want[engine] {
				t.Errorf("%s: %d samples concurrently, %d alone", engine, n, want[engine])
			}
		}()
	}
	wg.Wait()
}

func TestInvalidRequests(t *testing.T) {
	sp := &speaker{}
	for _, tc := range []struct {
		name string
		req  provider.TTSRequest
		want error
		msg  string
	}{
		{"empty text", provider.TTSRequest{Text: "  "}, provider.ErrInvalidInput, "no text"},
		{"unknown voice", provider.TTSRequest{Text: "hi", Voice: "bob"}, provider.ErrInvalidOptions, "use one of alloy, echo, fable, onyx, nova, shimmer"},
		{"flite voice on espeak", provider.TTSRequest{Text: "hi", Voice: "slt"}, provider.ErrInvalidOptions, `voice "slt" is unknown`},
		{"flite korean", provider.TTSRequest{Text: "안녕", Language: "ko", Options: provider.Options{"engine": "flite"}}, provider.ErrInvalidOptions, "flite speaks English only, not ko"},
		{"language", provider.TTSRequest{Text: "hi", Language: "tlh"}, provider.ErrInvalidOptions, "espeak-ng has no voice for it"},
		{"bad rate", provider.TTSRequest{Text: "hi", Options: provider.Options{"rate": 10.0}}, provider.ErrInvalidOptions, "options.rate"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			st, err := sp.Synthesize(context.Background(), tc.req)
			if err == nil {
				_, err = provider.Collect(st)
			}
			if !errors.Is(err, tc.want) || !strings.Contains(err.Error(), tc.msg) {
				t.Fatalf("error %v, want %v with %q", err, tc.want, tc.msg)
			}
		})
	}
}

func TestRateAndPitchOptions(t *testing.T) {
	for _, engine := range []string{"espeak", "flite"} {
		t.Run(engine, func(t *testing.T) {
			sp := &speaker{}
			speak := func(o provider.Options) spoken {
				o["engine"] = engine
				return synthesize(t, sp, provider.TTSRequest{Text: english, Voice: "alloy", Options: o})
			}
			slow, fast := speak(provider.Options{"rate": 100}), speak(provider.Options{"rate": 300})
			if slow.duration() < fast.duration()*3/2 {
				t.Errorf("rate 100: %v, rate 300: %v", slow.duration(), fast.duration())
			}
			low, high := speak(provider.Options{"pitch": 20}), speak(provider.Options{"pitch": 80})
			if pl, ph := speechtest.Pitch(low.pcm, low.rate), speechtest.Pitch(high.pcm, high.rate); pl*1.2 > ph {
				t.Errorf("pitch 20: %.0f Hz, pitch 80: %.0f Hz", pl, ph)
			}
		})
	}
}

func TestRecvAfterEnd(t *testing.T) {
	st, err := (&speaker{}).Synthesize(context.Background(), provider.TTSRequest{Text: "Hi."})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := provider.Collect(st); err != nil {
		t.Fatal(err)
	}
	if _, err := st.Recv(); !errors.Is(err, io.EOF) {
		t.Fatalf("Recv after the end: %v", err)
	}
}
