package main

import (
	"context"
	"errors"
	"io"
	"math"
	"sync"
	"testing"
	"time"

	"github.com/parleyhq/parley/plugins/internal/speechtest"
	"github.com/parleyhq/parley/runtime/pcm"
	"github.com/parleyhq/parley/runtime/provider"
)

// sentences are what callers of a shop say, each spoken by one of the
// flite voices in turn.
var sentences = []string{
	"I would like to check the status of my order.",
	"My package has not arrived yet.",
	"Can I speak to a person please?",
	"What time do you open on Saturday?",
	"I want to return a broken lamp.",
	"Please cancel my subscription.",
	"How much does the delivery cost?",
	"I was charged twice for the same item.",
	"Can you send me a new password?",
	"The tracking number does not work.",
	"I need to change my delivery address.",
	"Thank you very much for your help.",
}

type recording struct {
	text, voice string
	pcm         []int16
}

var (
	recordingsOnce sync.Once
	recordings     []recording
)

// speak synthesises every sentence once per test binary.
func speak(t testing.TB) []recording {
	recordingsOnce.Do(func() {
		for i, s := range sentences {
			v := speechtest.FliteVoices[i%len(speechtest.FliteVoices)]
			recordings = append(recordings, recording{text: s, voice: v, pcm: speechtest.Flite(t, v, s)})
		}
	})
	if len(recordings) != len(sentences) {
		t.Fatal("synthesising the test sentences failed")
	}
	return recordings
}

// streamed is what a stream answered for one utterance.
type streamed struct {
	partials []provider.Transcript
	final    provider.Transcript
}

// streamUtterance sends pcm in 20 ms frames, ends the utterance and the
// sending, and reads every transcript.
func streamUtterance(t testing.TB, st provider.STTStream, pcm []int16) streamed {
	t.Helper()
	got := make(chan streamed, 1)
	go func() {
		var s streamed
		for {
			tr, err := st.Recv()
			if err != nil {
				if !errors.Is(err, io.EOF) {
					t.Errorf("Recv: %v", err)
				}
				got <- s
				return
			}
			if tr.Final {
				s.final = tr
				continue
			}
			s.partials = append(s.partials, tr)
		}
	}()
	for i := 0; i < len(pcm); i += 320 {
		if err := st.SendAudio(pcm[i:min(i+320, len(pcm))]); err != nil {
			t.Fatal(err)
		}
	}
	if err := st.EndUtterance(); err != nil {
		t.Fatal(err)
	}
	if err := st.CloseSend(); err != nil {
		t.Fatal(err)
	}
	return <-got
}

// TestWordErrorRate transcribes flite speech in one shot and then
// streamed in 20 ms frames: the word error rate stays under 15%, partials
// come while audio arrives, and each stream's final is the one-shot result.
func TestWordErrorRate(t *testing.T) {
	r := newTestRecognizer(t)
	ctx := context.Background()
	var errs, words int
	for _, rec := range speak(t) {
		oneShot, err := r.Transcribe(ctx, provider.TranscribeRequest{Audio: pcm.Audio{Samples: rec.pcm, Rate: 16000}, Language: "en"})
		if err != nil {
			t.Fatal(err)
		}
		e, n := speechtest.WordErrors(rec.text, oneShot.Text)
		errs, words = errs+e, words+n
		t.Logf("%-3s %d/%d errors  %q -> %q (confidence %.2f)", rec.voice, e, n, rec.text, oneShot.Text, oneShot.Confidence)
		if !oneShot.Final || oneShot.Language != "en" {
			t.Errorf("one-shot transcript %+v: want final, language en", oneShot)
		}

		st, err := r.StreamSTT(ctx, provider.STTConfig{Language: "en", SampleRate: 16000})
		if err != nil {
			t.Fatal(err)
		}
		s := streamUtterance(t, st, rec.pcm)
		if err := st.Close(); err != nil {
			t.Fatal(err)
		}
		if len(s.partials) == 0 {
			t.Errorf("%q: no partial transcript", rec.text)
		}
		// The decoders come from the pool, reused: confidences may move in
		// the 4th decimal (see sphinx.Decoder.Reset), words may not.
		if s.final.Text != oneShot.Text || !s.final.Final || s.final.Language != "en" || math.Abs(s.final.Confidence-oneShot.Confidence) > 1e-3 {
			t.Errorf("%q: streamed final %+v, one-shot %+v", rec.text, s.final, oneShot)
		}
	}
	wer := float64(errs) / float64(words)
	t.Logf("WER %.1f%% (%d errors in %d words)", 100*wer, errs, words)
	if wer > 0.15 {
		t.Fatalf("WER %.1f%% > 15%%", 100*wer)
	}
}

// TestStreamUtterances checks one call with several turns: one final per
// EndUtterance (empty for one without audio), partials that grow, and
// nothing after CloseSend but io.EOF.
func TestStreamUtterances(t *testing.T) {
	r := newTestRecognizer(t)
	recs := speak(t)
	st, err := r.StreamSTT(context.Background(), provider.STTConfig{Language: "auto", SampleRate: 16000})
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	var got []provider.Transcript
	done := make(chan error, 1)
	go func() {
		for {
			tr, err := st.Recv()
			if err != nil {
				done <- err
				return
			}
			got = append(got, tr)
		}
	}()
	for _, pcm := range [][]int16{recs[2].pcm, nil, recs[4].pcm} {
		for i := 0; i < len(pcm); i += 320 {
			if err := st.SendAudio(pcm[i:min(i+320, len(pcm))]); err != nil {
				t.Fatal(err)
			}
		}
		if err := st.EndUtterance(); err != nil {
			t.Fatal(err)
		}
	}
	if err := st.CloseSend(); err != nil {
		t.Fatal(err)
	}
	if err := <-done; !errors.Is(err, io.EOF) {
		t.Fatalf("Recv after CloseSend: %v, want io.EOF", err)
	}
	var finals []string
	for _, tr := range got {
		if tr.Final {
			finals = append(finals, tr.Text)
		}
	}
	if len(finals) != 3 || finals[1] != "" {
		t.Fatalf("finals %q: want three, the second empty", finals)
	}
	for i, want := range []string{recs[2].text, "", recs[4].text} {
		if e, _ := speechtest.WordErrors(want, finals[i]); e > 1 {
			t.Errorf("final %d: %q, said %q", i, finals[i], want)
		}
	}
	if err := st.SendAudio(make([]int16, 320)); !errors.Is(err, errSendClosed) {
		t.Fatalf("SendAudio after CloseSend: %v", err)
	}
}

// TestGrammarAndKeywords recognises with the options an agent can give
// instead of free dictation.
func TestGrammarAndKeywords(t *testing.T) {
	r := newTestRecognizer(t)
	grammar := "#JSGF V1.0;\ngrammar shop;\npublic <request> = [i want to] (check | cancel) [my] order | [can i] speak to a person | what are your opening hours;\n"
	for _, tc := range []struct {
		name  string
		opts  provider.Options
		voice string
		say   string
		want  string
	}{
		{"grammar", provider.Options{"grammar": grammar}, "slt", "I want to cancel my order.", "i want to cancel my order"},
		{"grammar person", provider.Options{"grammar": grammar}, "awb", "Can I speak to a person?", "can i speak to a person"},
		{"keywords", provider.Options{"keywords": []any{"refund", "speak to a person"}}, "rms", "I would like a refund for this lamp.", "refund"},
		{"keywords none", provider.Options{"keywords": []any{"refund", "speak to a person"}}, "rms", "Hello, my name is Kim.", ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			speech := speechtest.Flite(t, tc.voice, tc.say)
			tr, err := r.Transcribe(context.Background(), provider.TranscribeRequest{Audio: pcm.Audio{Samples: speech, Rate: 16000}, Options: tc.opts})
			if err != nil {
				t.Fatal(err)
			}
			if tr.Text != tc.want {
				t.Fatalf("heard %q as %q, want %q", tc.say, tr.Text, tc.want)
			}
		})
	}
}

func TestInvalidRequests(t *testing.T) {
	r := newTestRecognizer(t)
	ctx := context.Background()
	for _, tc := range []struct {
		name string
		cfg  provider.STTConfig
		want error
	}{
		{"8 kHz", provider.STTConfig{SampleRate: 8000}, provider.ErrInvalidInput},
		{"48 kHz", provider.STTConfig{SampleRate: 48000}, provider.ErrInvalidInput},
		{"no rate", provider.STTConfig{}, provider.ErrInvalidInput},
		{"korean", provider.STTConfig{SampleRate: 16000, Language: "ko"}, provider.ErrInvalidOptions},
		{"bad option", provider.STTConfig{SampleRate: 16000, Options: provider.Options{"beam": 1.0}}, provider.ErrInvalidOptions},
		{"bad grammar", provider.STTConfig{SampleRate: 16000, Options: provider.Options{"grammar": "nope"}}, provider.ErrInvalidOptions},
	} {
		t.Run(tc.name, func(t *testing.T) {
			st, err := r.StreamSTT(ctx, tc.cfg)
			if err == nil {
				st.Close()
			}
			if !errors.Is(err, tc.want) {
				t.Fatalf("StreamSTT: %v, want %v", err, tc.want)
			}
			_, err = r.Transcribe(ctx, provider.TranscribeRequest{Audio: pcm.Audio{Samples: make([]int16, 320), Rate: tc.cfg.SampleRate}, Language: tc.cfg.Language, Options: tc.cfg.Options})
			if !errors.Is(err, tc.want) {
				t.Fatalf("Transcribe: %v, want %v", err, tc.want)
			}
		})
	}
}

func TestSilenceIsEmpty(t *testing.T) {
	r := newTestRecognizer(t)
	for _, quiet := range [][]int16{nil, make([]int16, 3*16000)} {
		tr, err := r.Transcribe(context.Background(), provider.TranscribeRequest{Audio: pcm.Audio{Samples: quiet, Rate: 16000}})
		if err != nil || tr.Text != "" || !tr.Final {
			t.Fatalf("%d samples of silence: %+v, %v", len(quiet), tr, err)
		}
	}
}

func TestCloseTwiceAndSendAfterClose(t *testing.T) {
	r := newTestRecognizer(t)
	st, err := r.StreamSTT(context.Background(), provider.STTConfig{SampleRate: 16000})
	if err != nil {
		t.Fatal(err)
	}
	if err := st.SendAudio(speak(t)[0].pcm[:8000]); err != nil {
		t.Fatal(err)
	}
	if err := st.Close(); err != nil {
		t.Fatal(err)
	}
	if err := st.Close(); err != nil {
		t.Fatalf("second Close: %v", err)
	}
	if err := st.SendAudio(make([]int16, 320)); !errors.Is(err, errClosed) {
		t.Fatalf("SendAudio after Close: %v", err)
	}
	if err := st.EndUtterance(); !errors.Is(err, errClosed) {
		t.Fatalf("EndUtterance after Close: %v", err)
	}
	if _, err := st.Recv(); !errors.Is(err, errClosed) {
		t.Fatalf("Recv after Close: %v", err)
	}
	if err := st.CloseSend(); err != nil {
		t.Fatalf("CloseSend after Close: %v", err)
	}
	if n := r.pool.ready(defaultConfig()); n == 0 {
		t.Fatal("the closed stream's decoder did not go back to the pool")
	}
}

func TestCancelEndsStream(t *testing.T) {
	r := newTestRecognizer(t)
	ctx, cancel := context.WithCancel(context.Background())
	st, err := r.StreamSTT(ctx, provider.STTConfig{SampleRate: 16000})
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	recvErr := make(chan error, 1)
	go func() {
		for {
			if _, err := st.Recv(); err != nil {
				recvErr <- err
				return
			}
		}
	}()
	if err := st.SendAudio(speak(t)[1].pcm); err != nil {
		t.Fatal(err)
	}
	cancel()
	select {
	case err := <-recvErr:
		if !errors.Is(err, context.Canceled) {
			t.Fatalf("Recv after cancel: %v", err)
		}
	case <-time.After(5 * time.Second):
		t.Fatal("Recv still blocked after cancel")
	}
	if err := st.SendAudio(make([]int16, 320)); !errors.Is(err, context.Canceled) {
		t.Fatalf("SendAudio after cancel: %v", err)
	}

	// A cancelled Transcribe stops between chunks.
	ctx, cancel = context.WithCancel(context.Background())
	cancel()
	if _, err := r.Transcribe(ctx, provider.TranscribeRequest{Audio: pcm.Audio{Samples: speak(t)[1].pcm, Rate: 16000}}); !errors.Is(err, context.Canceled) {
		t.Fatalf("Transcribe with a cancelled context: %v", err)
	}
}
