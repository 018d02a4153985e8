package main

import (
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/parleyhq/parley/internal/e2e"
	"github.com/parleyhq/parley/internal/oaifake"
)

// TestOpenAIToolCalls runs tool calls end to end through the real
// openai-chat plugin against the fake OpenAI server: the model streams
// three calls in one reply (parallel), one with malformed arguments and one
// to a tool that times out; the runtime runs them, tells the model each
// result in the next request, and the answer comes back with the calls.
func TestOpenAIToolCalls(t *testing.T) {
	shop := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path == "/slow" {
			select {
			case <-r.Context().Done():
			case <-time.After(5 * time.Second):
			}
			return
		}
		_, _ = io.WriteString(w, `{"status":"shipped"}`)
	}))
	t.Cleanup(shop.Close)
	fake := oaifake.New(t)
	var chunks []oaifake.Chunk
	chunks = append(chunks, oaifake.Text("Let me check."))
	chunks = append(chunks, oaifake.ToolCall(0, "call_a", "lookup_order", `{"order_number":"12345"}`, 5)...)
	chunks = append(chunks, oaifake.ToolCall(1, "call_b", "slow_check", `{}`, 0)...)
	chunks = append(chunks, oaifake.ToolCall(2, "call_c", "lookup_order", `{"order_number":`, 0)...)
	chunks = append(chunks, oaifake.Finish("tool_calls"))
	fake.Enqueue(oaifake.ChatPath, oaifake.ChatStream(0, chunks...), oaifake.Reply("Your order has shipped."))

	dir := t.TempDir()
	agentFile := fmt.Sprintf(`name: default
language: en
system_prompt: You help with orders.
providers:
  stt: {plugin: pocketsphinx}
  chat: {plugin: openai-chat, options: {base_url: %q, model: gpt-test}}
  tts: {plugin: espeak}
tools:
  - name: lookup_order
    description: Looks up an order.
    parameters: {type: object, properties: {order_number: {type: string}}, required: [order_number]}
    http: {url: "%s/orders/{{order_number}}"}
  - name: slow_check
    description: Checks slowly.
    http: {url: "%s/slow", timeout: 300ms}
`, fake.URL, shop.URL, shop.URL)
	require.NoError(t, os.WriteFile(filepath.Join(dir, "default.yaml"), []byte(agentFile), 0o600))
	p := start(t, t.TempDir(), "PARLEY_AGENTS_DIR="+dir, "OPENAI_API_KEY=sk-test-0123456789")

	id := p.call(t, http.MethodPost, "/api/v1/calls", `{"callerNumber":"01012345678"}`)["call"].(map[string]any)["id"].(string)
	speech, err := os.ReadFile(e2e.FliteWAV(t, "Where is my order?", 300*time.Millisecond, 300*time.Millisecond))
	require.NoError(t, err)
	status, res := p.upload(t, id, speech)
	require.Equal(t, http.StatusOK, status, "%v\n%s", res, p.logs)
	conv := res["data"].(map[string]any)["conversation"].(map[string]any)
	require.Equal(t, "Let me check. Your order has shipped.", conv["aiResponse"])
	calls := conv["toolCalls"].([]any)
	require.Len(t, calls, 3)
	byID := map[string]map[string]any{}
	for _, c := range calls {
		m := c.(map[string]any)
		byID[m["id"].(string)] = m
	}
	require.JSONEq(t, `{"status":"shipped"}`, byID["call_a"]["result"].(string))
	require.Contains(t, byID["call_b"]["error"], "did not answer in time")
	require.Contains(t, byID["call_c"]["error"], "not valid JSON")

	// What the model was told, as OpenAI expects it: the assistant's calls,
	// then one tool message per call id.
	reqs := fake.Requests(oaifake.ChatPath)
	require.Len(t, reqs, 2)
	require.NotEmpty(t, reqs[0].JSON["tools"], "the agent's tools were offered")
	var second struct {
		Messages []struct {
			Role       string `json:"role"`
			Content    string `json:"content"`
			ToolCallID string `json:"tool_call_id"`
			ToolCalls  []struct {
				ID string `json:"id"`
			} `json:"tool_calls"`
		} `json:"messages"`
	}
	require.NoError(t, json.Unmarshal(reqs[1].Body, &second))
	told := map[string]string{}
	sawCalls := false
	for _, m := range second.Messages {
		if m.Role == "assistant" && len(m.ToolCalls) == 3 {
			sawCalls = true
		}
		if m.Role == "tool" {
			told[m.ToolCallID] = m.Content
		}
	}
	require.True(t, sawCalls, "the assistant message with its calls: %s", reqs[1].Body)
	require.JSONEq(t, `{"status":"shipped"}`, told["call_a"])
	require.Contains(t, told["call_b"], `"error"`)
	require.Contains(t, told["call_c"], "not valid JSON")

	turns := p.call(t, http.MethodGet, "/api/v1/calls/"+id+"/history", "")["turns"].([]any)
	require.Len(t, turns[1].(map[string]any)["toolCalls"], 3, "the calls are stored with the agent's turn")
}
