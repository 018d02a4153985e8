package main

import (
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/hashicorp/go-hclog"
	"github.com/hashicorp/go-plugin"
	"github.com/stretchr/testify/require"

	"github.com/parleyhq/parley/runtime/provider"
)

// TestRealProcess builds the plugin binary and talks to it as the runtime
// does: a separate process behind go-plugin, options crossing as JSON.
func TestRealProcess(t *testing.T) {
	if testing.Short() {
		t.Skip("builds the plugin binary")
	}
	bin := filepath.Join(t.TempDir(), "scripted")
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
	require.Equal(t, provider.Description{Name: "scripted", Version: "1.2.3", Kinds: []provider.Kind{provider.KindChat}}, c.Description)

	opts := defaultOptions(t)
	problems, err := c.Validator.ValidateOptions(ctx, provider.ValidateRequest{Kind: provider.KindChat, Options: opts, Language: "en"})
	require.NoError(t, err)
	require.Empty(t, problems)

	st, err := c.Chat.Complete(ctx, userSays(opts, "where is my ordr"))
	require.NoError(t, err)
	deltas, err := provider.Collect(st)
	require.NoError(t, err)
	text, endCallAt := joined(deltas)
	require.True(t, strings.HasPrefix(text, "Most orders arrive"), text)
	require.Empty(t, endCallAt)

	st, err = c.Chat.Complete(ctx, userSays(opts, "ok thanks goodbye"))
	require.NoError(t, err)
	deltas, err = provider.Collect(st)
	require.NoError(t, err)
	_, endCallAt = joined(deltas)
	require.Equal(t, []int{len(deltas) - 1}, endCallAt)
}
