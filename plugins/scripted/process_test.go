package main

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/parleyhq/parley/runtime/provider"
	"github.com/parleyhq/parley/runtime/provider/providertest"
)

// TestRealProcess builds the plugin binary and talks to it as the runtime
// does: a separate process behind go-plugin, options crossing as JSON.
func TestRealProcess(t *testing.T) {
	if testing.Short() {
		t.Skip("builds the plugin binary")
	}
	c, _ := providertest.Start(t, ".", providertest.WithVersion("1.2.3"))
	ctx, cancel := context.WithTimeout(t.Context(), 10*time.Second)
	defer cancel()
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
