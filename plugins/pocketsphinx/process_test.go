package main

import (
	"context"
	"runtime"
	"slices"
	"strings"
	"testing"

	"github.com/parleyhq/parley/plugins/internal/speechtest"
	"github.com/parleyhq/parley/runtime/pcm"
	"github.com/parleyhq/parley/runtime/provider"
	"github.com/parleyhq/parley/runtime/provider/providertest"
)

// TestPluginProcess builds the plugin binary and runs it as the runtime
// does: it answers, and pocketsphinx's chatty logging stays out of the log.
func TestPluginProcess(t *testing.T) {
	if testing.Short() {
		t.Skip("builds and starts the plugin binary")
	}
	c, logs := providertest.Start(t, ".")
	if c.Description.Name != "pocketsphinx" || c.Description.Version != "dev" {
		t.Fatalf("description %+v", c.Description)
	}
	// The runtime reads the plugin's stream limit over the boundary.
	if !slices.Equal(c.Description.Languages, []string{"en"}) || !c.Description.SupportsLanguage("en-GB") || c.Description.SupportsLanguage("fr") {
		t.Fatalf("declares languages %v, want en", c.Description.Languages)
	}
	if want := 3 * runtime.GOMAXPROCS(0); c.Description.MaxStreams != want {
		t.Fatalf("declares %d streams, want %d", c.Description.MaxStreams, want)
	}
	ctx := context.Background()
	problems, err := c.Validator.ValidateOptions(ctx, provider.ValidateRequest{Kind: provider.KindSTT, Language: "en", Options: provider.Options{"keywords": []any{"refund"}}})
	if err != nil || len(problems) > 0 {
		t.Fatalf("validate: %v %v", problems, err)
	}
	rec := speak(t)[3]
	tr, err := c.STT.Transcribe(ctx, provider.TranscribeRequest{Audio: pcm.Audio{Samples: rec.pcm, Rate: 16000}, Language: "en"})
	if err != nil {
		t.Fatal(err)
	}
	if e, n := speechtest.WordErrors(rec.text, tr.Text); e*3 > n {
		t.Fatalf("heard %q as %q", rec.text, tr.Text)
	}
	for _, noise := range []string{"INFO", "Parsing command line", "cmd_ln"} {
		if strings.Contains(logs.String(), noise) {
			t.Fatalf("pocketsphinx's %q lines reach the log:\n%s", noise, logs)
		}
	}
}
