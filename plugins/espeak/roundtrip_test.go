package main

import (
	"context"
	"testing"

	"github.com/parleyhq/parley/plugins/internal/speechtest"
	"github.com/parleyhq/parley/plugins/internal/sphinx"
	"github.com/parleyhq/parley/runtime/provider"
	"github.com/parleyhq/parley/runtime/provider/providertest"
)

// TestRoundTripFliteToPocketsphinx speaks with the flite engine, through
// the plugin's gRPC shims, and hands the audio to the pocketsphinx decoder
// of the offline STT plugin: the words come back.
func TestRoundTripFliteToPocketsphinx(t *testing.T) {
	sp := &speaker{}
	c := providertest.Connect(t, provider.ServeConfig{Name: "espeak", Version: version, TTS: sp, Validator: sp})
	dec, err := sphinx.New(sphinx.DefaultConfig())
	if err != nil {
		t.Fatal(err)
	}
	defer dec.Close()
	for _, tc := range []struct{ voice, text string }{
		{"alloy", "I would like to check the status of my order."},
		{"echo", "Can I speak to a person please?"},
		{"fable", "Thank you very much for your help."},
	} {
		st, err := c.TTS.Synthesize(context.Background(), provider.TTSRequest{Text: tc.text, Voice: tc.voice, Language: "en", Options: provider.Options{"engine": "flite"}})
		if err != nil {
			t.Fatal(err)
		}
		chunks, err := provider.Collect(st)
		if err != nil {
			t.Fatal(err)
		}
		for _, a := range chunks {
			if a.Rate != sphinx.SampleRate {
				t.Fatalf("flite audio at %d Hz", a.Rate)
			}
			if err := dec.Process(a.Samples); err != nil {
				t.Fatal(err)
			}
		}
		res, err := dec.End()
		if err != nil {
			t.Fatal(err)
		}
		errs, words := speechtest.WordErrors(tc.text, res.Text)
		t.Logf("%s: %q heard as %q (%d/%d errors, %d chunks)", tc.voice, tc.text, res.Text, errs, words, len(chunks))
		if errs > 1 {
			t.Errorf("%q heard as %q", tc.text, res.Text)
		}
	}
}

// TestOverGRPC drives the plugin through the runtime's client in-process:
// description, validation, streamed chunks and cancellation cross the
// boundary.
func TestOverGRPC(t *testing.T) {
	sp := &speaker{}
	c := providertest.Connect(t, provider.ServeConfig{Name: "espeak", Version: version, TTS: sp, Validator: sp})
	if c.Description.Name != "espeak" || !c.Serves(provider.KindTTS) || c.Serves(provider.KindSTT) {
		t.Fatalf("description %+v", c.Description)
	}
	problems, err := c.Validator.ValidateOptions(context.Background(), provider.ValidateRequest{Kind: provider.KindTTS, Language: "ko", Voice: "bob", Options: provider.Options{"engine": "flite"}})
	if err != nil {
		t.Fatal(err)
	}
	if len(problems) != 2 || problems[0].Option != "engine" {
		t.Fatalf("problems %v", problems)
	}

	st, err := c.TTS.Synthesize(context.Background(), provider.TTSRequest{Text: korean, Voice: "shimmer", Language: "auto"})
	if err != nil {
		t.Fatal(err)
	}
	chunks, err := provider.Collect(st)
	if err != nil {
		t.Fatal(err)
	}
	var pcm []int16
	for _, a := range chunks {
		pcm = append(pcm, a.Samples...)
	}
	if len(chunks) < 5 || chunks[0].Rate != 22050 || speechtest.RMS(pcm) < 1000 {
		t.Fatalf("%d chunks at %d Hz, RMS %.0f", len(chunks), chunks[0].Rate, speechtest.RMS(pcm))
	}

	ctx, cancel := context.WithCancel(context.Background())
	st, err = c.TTS.Synthesize(ctx, provider.TTSRequest{Text: longText, Options: provider.Options{"engine": "flite"}})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := st.Recv(); err != nil {
		t.Fatal(err)
	}
	cancel()
	for {
		if _, err := st.Recv(); err != nil {
			break
		}
	}
	_ = st.Close()
}
