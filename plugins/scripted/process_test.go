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

	// A tool round trip across the process: the call, then the reply
	// filled from its result.
	req := provider.ChatRequest{Options: toolOptions(), Tools: offered, Messages: []provider.Message{
		{Role: provider.RoleUser, Content: "tracking for order nine eight seven"},
	}}
	st, err = c.Chat.Complete(ctx, req)
	require.NoError(t, err)
	deltas, err = provider.Collect(st)
	require.NoError(t, err)
	require.Len(t, deltas, 2)
	call := deltas[1].ToolCalls[0]
	require.JSONEq(t, `{"order_number":"987","channel":"phone","heard":"tracking for order nine eight seven"}`, call.Arguments)
	req.Messages = append(req.Messages, provider.Message{Role: provider.RoleAssistant, Content: deltas[0].Text, ToolCalls: []provider.ToolCall{call}},
		provider.Message{Role: provider.RoleTool, ToolCallID: call.ID, Content: `{"status":"delayed","eta":{"day":"Monday"}}`})
	st, err = c.Chat.Complete(ctx, req)
	require.NoError(t, err)
	deltas, err = provider.Collect(st)
	require.NoError(t, err)
	text, _ = joined(deltas)
	require.Equal(t, "Order 987 is delayed, arriving Monday.", text)
}
