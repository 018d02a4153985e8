package main

import (
	"context"
	"testing"

	"github.com/parleyhq/parley/plugins/internal/speechtest"
	"github.com/parleyhq/parley/runtime/provider"
	"github.com/parleyhq/parley/runtime/provider/providertest"
)

// TestPluginProcess builds the plugin binary and runs it as the runtime
// does: both engines speak.
func TestPluginProcess(t *testing.T) {
	if testing.Short() {
		t.Skip("builds and starts the plugin binary")
	}
	c, _ := providertest.Start(t, ".")
	if c.Description.Name != "espeak" || c.Description.Version != "dev" {
		t.Fatalf("description %+v", c.Description)
	}
	// The languages of espeak-ng's voices, as canonical tags.
	for _, lang := range []string{"en-GB", "ko", "pt-BR", "fr", "zh-Hant-TW"} {
		if !c.Description.SupportsLanguage(lang) {
			t.Errorf("does not declare %s: %v", lang, c.Description.Languages)
		}
	}
	if c.Description.SupportsLanguage("tlh") {
		t.Errorf("declares Klingon: %v", c.Description.Languages)
	}
	for _, tc := range []struct {
		engine, text string
		rate         int
	}{{"espeak", korean, 22050}, {"flite", english, 16000}} {
		st, err := c.TTS.Synthesize(context.Background(), provider.TTSRequest{Text: tc.text, Voice: "nova", Language: "auto", Options: provider.Options{"engine": tc.engine}})
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
		if len(chunks) == 0 || chunks[0].Rate != tc.rate || speechtest.RMS(pcm) < 1000 {
			t.Fatalf("%s: %d chunks, RMS %.0f", tc.engine, len(chunks), speechtest.RMS(pcm))
		}
	}
}
