package main

import (
	"context"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/parleyhq/parley/runtime/provider"
	"github.com/parleyhq/parley/runtime/provider/providertest"
)

// TestRealProcess builds the plugin binary and talks to it as the runtime
// does: a separate process behind go-plugin.
func TestRealProcess(t *testing.T) {
	if testing.Short() {
		t.Skip("builds the plugin binary")
	}
	c, _ := providertest.Start(t, ".", providertest.WithVersion("1.2.3"))
	ctx, cancel := context.WithTimeout(t.Context(), 10*time.Second)
	defer cancel()
	require.Equal(t, provider.Description{Name: "sentiment", Version: "1.2.3", Kinds: []provider.Kind{provider.KindSentiment}}, c.Description)

	problems, err := c.Validator.ValidateOptions(ctx, provider.ValidateRequest{Kind: provider.KindSentiment, Options: provider.Options{"mode": "lexicon"}})
	require.NoError(t, err)
	require.Empty(t, problems)

	for _, s := range []labelled{
		{"I would like to check my order", provider.Neutral},
		{"정말 친절하시네요 고맙습니다", provider.Positive},
		{"택배를 아직 못 받았어요", provider.Negative},
	} {
		res, err := c.Sentiment.Analyze(ctx, provider.SentimentRequest{Text: s.text, Language: "auto", Options: provider.Options{"mode": "lexicon"}})
		require.NoError(t, err)
		require.Equal(t, s.label, res.Label, s.text)
	}
}
