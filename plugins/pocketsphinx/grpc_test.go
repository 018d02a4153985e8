package main

import (
	"context"
	"errors"
	"strings"
	"testing"

	"github.com/parleyhq/parley/plugins/internal/speechtest"
	"github.com/parleyhq/parley/runtime/pcm"
	"github.com/parleyhq/parley/runtime/provider"
	"github.com/parleyhq/parley/runtime/provider/providertest"
)

// TestRoundTripOverGRPC drives the plugin through the runtime's client and
// the real gRPC shims, in-process.
func TestRoundTripOverGRPC(t *testing.T) {
	r := newTestRecognizer(t)
	c := providertest.Connect(t, provider.ServeConfig{Name: "pocketsphinx", Version: version, STT: r, Validator: r})
	ctx := context.Background()
	if c.Description.Name != "pocketsphinx" || !c.Serves(provider.KindSTT) || c.Serves(provider.KindTTS) {
		t.Fatalf("description %+v", c.Description)
	}

	problems, err := c.Validator.ValidateOptions(ctx, provider.ValidateRequest{Kind: provider.KindSTT, Language: "ko", Options: provider.Options{"beam": 1}})
	if err != nil {
		t.Fatal(err)
	}
	if len(problems) != 2 || problems[0].Option != "beam" || !strings.Contains(problems[1].Message, "English only") {
		t.Fatalf("problems %v", problems)
	}

	rec := speak(t)[6]
	st, err := c.STT.StreamSTT(ctx, provider.STTConfig{Language: "en", SampleRate: 16000})
	if err != nil {
		t.Fatal(err)
	}
	s := streamUtterance(t, st, rec.pcm)
	if err := st.Close(); err != nil {
		t.Fatal(err)
	}
	if len(s.partials) == 0 {
		t.Error("no partial transcript crossed the boundary")
	}
	if e, n := speechtest.WordErrors(rec.text, s.final.Text); e > 1 || !s.final.Final || s.final.Language != "en" {
		t.Fatalf("final %+v for %q (%d/%d errors)", s.final, rec.text, e, n)
	}

	tr, err := c.STT.Transcribe(ctx, provider.TranscribeRequest{Audio: pcm.Audio{Samples: rec.pcm, Rate: 16000}})
	if err != nil {
		t.Fatal(err)
	}
	if tr.Text != s.final.Text {
		t.Fatalf("transcribed %q, streamed %q", tr.Text, s.final.Text)
	}

	st, err = c.STT.StreamSTT(ctx, provider.STTConfig{SampleRate: 44100})
	if err == nil {
		_, err = st.Recv()
		st.Close()
	}
	if !errors.Is(err, provider.ErrInvalidInput) || !strings.Contains(err.Error(), "44100") {
		t.Fatalf("44.1 kHz stream: %v", err)
	}
}
