package main

import (
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"testing"
	"time"

	"github.com/hashicorp/go-hclog"
	"github.com/hashicorp/go-plugin"
	"github.com/stretchr/testify/require"

	"github.com/parleyhq/parley/runtime/provider"
)

// TestRealProcess builds the plugin binary and talks to it as the runtime
// does: a separate process behind go-plugin.
func TestRealProcess(t *testing.T) {
	if testing.Short() {
		t.Skip("builds the plugin binary")
	}
	bin := filepath.Join(t.TempDir(), "sentiment")
	build := exec.Command("go", "build", "-ldflags", "-X main.version=1.2.3", "-o", bin, ".")
	build.Stderr = os.Stderr
	require.NoError(t, build.Run())

	client := plugin.NewClient(&plugin.ClientConfig{
		HandshakeConfig:  provider.Handshake,
		VersionedPlugins: provider.VersionedPlugins(),
		Cmd:              exec.Command(bin),
		AllowedProtocols: []plugin.Protocol{plugin.ProtocolGRPC},
		Logger:           hclog.NewNullLogger(),
		SkipHostEnv:      true,
	})
	defer client.Kill()
	rpc, err := client.Client()
	require.NoError(t, err)
	ctx, cancel := context.WithTimeout(t.Context(), 10*time.Second)
	defer cancel()
	c, err := provider.Connect(ctx, rpc)
	require.NoError(t, err)
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
