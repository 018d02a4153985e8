package provider_test

import (
	"context"
	"errors"
	"os/exec"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/parleyhq/parley/runtime/provider"
	"github.com/parleyhq/parley/runtime/provider/providertest"
)

// toolRequest offers tools and carries a tool round trip in its history.
var toolRequest = provider.ChatRequest{
	SystemPrompt: "s", Language: "en",
	Tools: []provider.Tool{
		{Name: "lookup_order", Description: "Find an order", Parameters: []byte(`{"type":"object"}`)},
		{Name: "transfer_call"},
	},
	Messages: []provider.Message{
		{Role: provider.RoleUser, Content: "where is 12345"},
		{Role: provider.RoleAssistant, ToolCalls: []provider.ToolCall{{ID: "call_0", Name: "lookup_order", Arguments: `{"n":"12345"}`}}},
		{Role: provider.RoleTool, ToolCallID: "call_0", Content: `{"status":"shipped"}`},
		{Role: provider.RoleUser, Content: "thanks bye"},
	},
}

// TestOldPluginServesNewHost: a plugin process built against proto v1
// before tools existed (a frozen copy of its generated code) gets a request
// with tools and tool messages, ignores what it does not know and answers
// as it always did.
func TestOldPluginServesNewHost(t *testing.T) {
	c, _ := providertest.Start(t, "testdata/oldcontract")
	require.Equal(t, "oldcontract", c.Description.Name)
	require.Empty(t, c.Description.Languages) // built before languages: serves any
	require.True(t, c.Description.SupportsLanguage("pt-BR"))
	st, err := c.Chat.Complete(context.Background(), toolRequest)
	require.NoError(t, err)
	got, err := provider.Collect(st)
	require.NoError(t, err)
	require.Equal(t, []provider.ChatDelta{
		{Text: "user:where is 12345"},
		{Text: "assistant:"},
		{Text: `tool:{"status":"shipped"}`},
		{Text: "user:thanks bye"},
		{EndCall: true},
	}, got)
}

// TestNewPluginToolsInAProcess: the tool fields cross a real plugin
// process both ways: tools in, parallel tool calls out, results back in.
func TestNewPluginToolsInAProcess(t *testing.T) {
	c, _ := providertest.Start(t, "testdata/toolchat")
	req := toolRequest
	req.Messages = req.Messages[:1]
	st, err := c.Chat.Complete(context.Background(), req)
	require.NoError(t, err)
	got, err := provider.Collect(st)
	require.NoError(t, err)
	require.Equal(t, []provider.ChatDelta{{ToolCalls: []provider.ToolCall{
		{ID: "call_1", Name: "lookup_order", Arguments: `{"said":"where is 12345"}`},
		{ID: "call_2", Name: "transfer_call", Arguments: `{"said":"where is 12345"}`},
	}}}, got)

	req.Messages = toolRequest.Messages[:3]
	st, err = c.Chat.Complete(context.Background(), req)
	require.NoError(t, err)
	got, err = provider.Collect(st)
	require.NoError(t, err)
	require.Equal(t, []provider.ChatDelta{{Text: `call_0={"status":"shipped"}`}}, got)
}

// TestNewPluginServesOldHost: a runtime built before tools (the frozen
// contract again, acting as the host) starts a plugin built now and gets
// the same reply as ever: no tools asked, none called.
func TestNewPluginServesOldHost(t *testing.T) {
	dir := t.TempDir()
	oldHost := build(t, "testdata/oldcontract", filepath.Join(dir, "oldhost"))
	newPlugin := build(t, "testdata/toolchat", filepath.Join(dir, "toolchat"))
	out, err := exec.Command(oldHost, "host", newPlugin).Output()
	require.NoError(t, err, "%s", errOutput(err))
	require.Equal(t, "hello |false\nthere |false\nbye |false\n|true\n", string(out))
}

func build(t *testing.T, dir, bin string) string {
	t.Helper()
	cmd := exec.Command("go", "build", "-o", bin, ".")
	cmd.Dir = dir
	out, err := cmd.CombinedOutput()
	require.NoError(t, err, "go build %s: %s", dir, out)
	return bin
}

func errOutput(err error) string {
	if ee := (*exec.ExitError)(nil); errors.As(err, &ee) {
		return string(ee.Stderr)
	}
	return ""
}
