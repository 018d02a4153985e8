package main

import (
	"context"
	"slices"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/parleyhq/parley/internal/oaifake"
	"github.com/parleyhq/parley/runtime/provider"
	"github.com/parleyhq/parley/runtime/provider/providertest"
)

// TestRealProcess builds the plugin binary and talks to it as the runtime
// does: a separate process, the key in its environment, the fake as base_url.
func TestRealProcess(t *testing.T) {
	if testing.Short() {
		t.Skip("builds the plugin binary")
	}

	srv := oaifake.New(t)
	srv.Enqueue(oaifake.ChatPath, oaifake.ChatStream(0, oaifake.Text("Bye"), oaifake.Text(" now."),
		oaifake.ToolCallStart(0, "call_1", "end_call"), oaifake.ToolCallArgs(0, "{}"), oaifake.Finish("tool_calls")))

	c, _ := providertest.Start(t, ".", providertest.WithEnv("MY_KEY="+testKey))
	ctx, cancel := context.WithTimeout(t.Context(), 10*time.Second)
	defer cancel()
	assert.Equal(t, provider.Description{Name: name, Version: version, Kinds: []provider.Kind{provider.KindChat}}, c.Description)

	opts := provider.Options{"base_url": srv.URL, "api_key_env": "MY_KEY"}
	problems, err := c.Validator.ValidateOptions(ctx, provider.ValidateRequest{Kind: provider.KindChat, Options: opts})
	require.NoError(t, err)
	assert.Empty(t, problems)

	st, err := c.Chat.Complete(ctx, provider.ChatRequest{SystemPrompt: "Be brief.", Messages: []provider.Message{{Role: provider.RoleUser, Content: "bye"}}, Options: opts})
	require.NoError(t, err)
	got, err := provider.Collect(st)
	require.NoError(t, err)
	assert.Equal(t, []provider.ChatDelta{{Text: "Bye"}, {Text: " now."}, {EndCall: true}}, got)
	assert.Equal(t, "Bearer "+testKey, srv.Requests(oaifake.ChatPath)[0].Authorization())

	// Tools cross the process too: offered, called in parallel, answered.
	srv.Enqueue(oaifake.ChatPath, oaifake.ChatStream(0, slices.Concat(
		oaifake.ToolCall(0, "call_a", "lookup_order", `{"order_number":"1"}`, 3),
		oaifake.ToolCall(1, "call_b", "lookup_order", `{"order_number":"2"}`, 3))...))
	st, err = c.Chat.Complete(ctx, provider.ChatRequest{
		Messages: []provider.Message{{Role: provider.RoleUser, Content: "orders 1 and 2"}}, Options: opts, Tools: []provider.Tool{lookupOrder},
	})
	require.NoError(t, err)
	got, err = provider.Collect(st)
	require.NoError(t, err)
	assert.Equal(t, []provider.ChatDelta{{ToolCalls: []provider.ToolCall{
		{ID: "call_a", Name: "lookup_order", Arguments: `{"order_number":"1"}`},
		{ID: "call_b", Name: "lookup_order", Arguments: `{"order_number":"2"}`},
	}}}, got)
	assert.Equal(t, "lookup_order", srv.Requests(oaifake.ChatPath)[1].Chat().Tools[0].Function.Name)
}

// TestRealProcessOpenAIBaseURL checks that OPENAI_BASE_URL in the plugin's
// environment (where the runtime puts its setting) is the default
// base_url: an agent without options talks to that server, with
// OPENAI_API_KEY when it is set.
func TestRealProcessOpenAIBaseURL(t *testing.T) {
	if testing.Short() {
		t.Skip("builds the plugin binary")
	}
	srv := oaifake.New(t)
	srv.Enqueue(oaifake.ChatPath, oaifake.ChatStream(0, oaifake.Text("Hi."), oaifake.Finish("stop")))

	c, _ := providertest.Start(t, ".", providertest.WithEnv("OPENAI_BASE_URL="+srv.URL, "OPENAI_API_KEY="+testKey))
	ctx, cancel := context.WithTimeout(t.Context(), 10*time.Second)
	defer cancel()
	problems, err := c.Validator.ValidateOptions(ctx, provider.ValidateRequest{Kind: provider.KindChat})
	require.NoError(t, err)
	assert.Empty(t, problems)
	st, err := c.Chat.Complete(ctx, provider.ChatRequest{Messages: []provider.Message{{Role: provider.RoleUser, Content: "hello"}}})
	require.NoError(t, err)
	got, err := provider.Collect(st)
	require.NoError(t, err)
	assert.Equal(t, []provider.ChatDelta{{Text: "Hi."}}, got)
	require.Len(t, srv.Requests(oaifake.ChatPath), 1)
	assert.Equal(t, "Bearer "+testKey, srv.Requests(oaifake.ChatPath)[0].Authorization())
}
