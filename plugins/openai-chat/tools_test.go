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
)

var lookupOrder = provider.Tool{
	Name: "lookup_order", Description: "Find an order by its number.",
	Parameters: []byte(`{"type":"object","properties":{"order_number":{"type":"string"}},"required":["order_number"]}`),
}

// completeTools runs one completion offering tools.
func (f *fixture) completeTools(ctx context.Context, opts provider.Options, tools []provider.Tool, msgs ...provider.Message) ([]provider.ChatDelta, error) {
	if len(msgs) == 0 {
		msgs = []provider.Message{{Role: provider.RoleUser, Content: "where is order 12345"}}
	}
	st, err := f.client.Chat.Complete(ctx, provider.ChatRequest{SystemPrompt: "Be brief.", Messages: msgs, Language: "en", Options: opts, Tools: tools})
	if err != nil {
		return nil, err
	}
	return provider.Collect(st)
}

func chunks(parts ...[]oaifake.Chunk) []oaifake.Chunk { return slices.Concat(parts...) }

func TestStreamedToolCalls(t *testing.T) {
	tests := []struct {
		name   string
		chunks []oaifake.Chunk
		want   []provider.ChatDelta
	}{
		{
			name: "one call, arguments in pieces, after text",
			chunks: chunks([]oaifake.Chunk{oaifake.Text("Let me "), oaifake.Text("check.")},
				oaifake.ToolCall(0, "call_1", "lookup_order", `{"order_number":"12345"}`, 4), []oaifake.Chunk{oaifake.Finish("tool_calls")}),
			want: []provider.ChatDelta{{Text: "Let me "}, {Text: "check."}, {ToolCalls: []provider.ToolCall{
				{ID: "call_1", Name: "lookup_order", Arguments: `{"order_number":"12345"}`},
			}}},
		},
		{
			name: "parallel calls interleaved come in one delta",
			chunks: []oaifake.Chunk{
				oaifake.ToolCallStart(0, "call_a", "lookup_order"), oaifake.ToolCallStart(1, "call_b", "lookup_order"),
				oaifake.ToolCallArgs(1, `{"order_number":`), oaifake.ToolCallArgs(0, `{"order_number":"1"}`), oaifake.ToolCallArgs(1, `"2"}`),
				oaifake.Finish("tool_calls"),
			},
			want: []provider.ChatDelta{{ToolCalls: []provider.ToolCall{
				{ID: "call_a", Name: "lookup_order", Arguments: `{"order_number":"1"}`},
				{ID: "call_b", Name: "lookup_order", Arguments: `{"order_number":"2"}`},
			}}},
		},
		{
			name:   "malformed arguments pass through as written",
			chunks: chunks(oaifake.ToolCall(0, "call_1", "lookup_order", `{"order_number": 12`, 3), []oaifake.Chunk{oaifake.Finish("tool_calls")}),
			want: []provider.ChatDelta{{ToolCalls: []provider.ToolCall{
				{ID: "call_1", Name: "lookup_order", Arguments: `{"order_number": 12`},
			}}},
		},
		{
			name:   "no arguments and no id",
			chunks: []oaifake.Chunk{oaifake.ToolCallStart(0, "", ""), oaifake.Finish("tool_calls")},
			want:   []provider.ChatDelta{{ToolCalls: []provider.ToolCall{{ID: "call_0", Arguments: "{}"}}}},
		},
		{
			name: "a tool and end_call: the call, then the hang-up",
			chunks: chunks([]oaifake.Chunk{oaifake.Text("Bye.")}, oaifake.ToolCall(0, "call_1", "lookup_order", `{}`, 0),
				oaifake.ToolCall(1, "call_2", "end_call", `{}`, 0), []oaifake.Chunk{oaifake.Finish("tool_calls")}),
			want: []provider.ChatDelta{{Text: "Bye."}, {ToolCalls: []provider.ToolCall{{ID: "call_1", Name: "lookup_order", Arguments: "{}"}}}, {EndCall: true}},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := newFixture(t, nil)
			f.srv.Enqueue(oaifake.ChatPath, oaifake.ChatStream(0, tt.chunks...))
			got, err := f.completeTools(t.Context(), f.opts(nil), []provider.Tool{lookupOrder})
			require.NoError(t, err)
			assert.Equal(t, tt.want, got)
		})
	}
}

// TestTextBeforeAToolCallIsStreamed: the text the model writes before a
// tool call reaches the runtime while the call is still being written.
func TestTextBeforeAToolCallIsStreamed(t *testing.T) {
	f := newFixture(t, nil)
	gate := make(chan struct{})
	all := chunks([]oaifake.Chunk{oaifake.Text("One moment.")}, oaifake.ToolCall(0, "call_1", "lookup_order", `{"order_number":"7"}`, 5),
		[]oaifake.Chunk{oaifake.Finish("tool_calls")})
	f.srv.Enqueue(oaifake.ChatPath, oaifake.Gated(gate, 2, all...))
	// Were the text held back until the call is complete, Recv would wait
	// for the gate and fail at this deadline.
	ctx, cancel := context.WithTimeout(t.Context(), 5*time.Second)
	defer cancel()
	st, err := f.client.Chat.Complete(ctx, provider.ChatRequest{
		Messages: []provider.Message{{Role: provider.RoleUser, Content: "order 7"}}, Options: f.opts(nil), Tools: []provider.Tool{lookupOrder},
	})
	require.NoError(t, err)
	defer st.Close()
	d, err := st.Recv()
	require.NoError(t, err)
	require.Equal(t, provider.ChatDelta{Text: "One moment."}, d)
	close(gate)
	rest, err := provider.Collect(st)
	require.NoError(t, err)
	require.Equal(t, []provider.ChatDelta{{ToolCalls: []provider.ToolCall{{ID: "call_1", Name: "lookup_order", Arguments: `{"order_number":"7"}`}}}}, rest)
}

func TestToolsAndToolMessagesInTheRequest(t *testing.T) {
	f := newFixture(t, nil)
	endCall := provider.Tool{Name: "end_call", Description: "Hang up, the agent file's way."}
	_, err := f.completeTools(t.Context(), f.opts(nil), []provider.Tool{lookupOrder, endCall},
		provider.Message{Role: provider.RoleTool, ToolCallID: "call_cut", Content: `{"orphan":true}`}, // its call fell out of the window
		provider.Message{Role: provider.RoleUser, Content: "where are orders 1 and 2"},
		provider.Message{Role: provider.RoleAssistant, ToolCalls: []provider.ToolCall{
			{ID: "call_1", Name: "lookup_order", Arguments: `{"order_number":"1"}`},
			{ID: "call_2", Name: "lookup_order", Arguments: `{"order_number":"2"}`},
			{ID: "call_3", Name: "lookup_order", Arguments: `{"order_number":"3"}`}, // never answered
		}},
		provider.Message{Role: provider.RoleTool, ToolCallID: "call_1", Content: `{"status":"shipped"}`},
		provider.Message{Role: provider.RoleTool, ToolCallID: "call_2", Content: `{"error":"not found"}`},
		provider.Message{Role: provider.RoleAssistant, Content: "Order 1 has shipped; order 2 was not found."},
		provider.Message{Role: provider.RoleUser, Content: "thanks"},
	)
	require.NoError(t, err)
	reqs := f.srv.Requests(oaifake.ChatPath)
	require.Len(t, reqs, 1)
	got := reqs[0].Chat()

	require.Len(t, got.Tools, 2, "the agent's end_call replaces the built-in one")
	assert.Equal(t, "function", got.Tools[0].Type)
	assert.Equal(t, "lookup_order", got.Tools[0].Function.Name)
	assert.Equal(t, "Find an order by its number.", got.Tools[0].Function.Description)
	assert.Equal(t, map[string]any{
		"type": "object", "properties": map[string]any{"order_number": map[string]any{"type": "string"}}, "required": []any{"order_number"},
	}, got.Tools[0].Function.Parameters)
	assert.Equal(t, "end_call", got.Tools[1].Function.Name)
	assert.Equal(t, map[string]any{"type": "object", "properties": map[string]any{}}, got.Tools[1].Function.Parameters)

	require.Len(t, got.Messages, 7, "the orphan result and the unanswered call are left out")
	assert.Equal(t, oaifake.ChatMessage{Role: "system", Content: "Be brief."}, got.Messages[0])
	assert.Equal(t, oaifake.ChatMessage{Role: "user", Content: "where are orders 1 and 2"}, got.Messages[1])
	call := got.Messages[2]
	assert.Equal(t, "assistant", call.Role)
	assert.Empty(t, call.Content)
	require.Len(t, call.ToolCalls, 2)
	for i, id := range []string{"call_1", "call_2"} {
		assert.Equal(t, id, call.ToolCalls[i].ID)
		assert.Equal(t, "function", call.ToolCalls[i].Type)
		assert.Equal(t, "lookup_order", call.ToolCalls[i].Function.Name)
	}
	assert.Equal(t, `{"order_number":"2"}`, call.ToolCalls[1].Function.Arguments)
	assert.Equal(t, oaifake.ChatMessage{Role: "tool", Content: `{"status":"shipped"}`, ToolCallID: "call_1"}, got.Messages[3])
	assert.Equal(t, oaifake.ChatMessage{Role: "tool", Content: `{"error":"not found"}`, ToolCallID: "call_2"}, got.Messages[4])
	assert.Equal(t, oaifake.ChatMessage{Role: "assistant", Content: "Order 1 has shipped; order 2 was not found."}, got.Messages[5])
	assert.Equal(t, oaifake.ChatMessage{Role: "user", Content: "thanks"}, got.Messages[6])
}

func TestBadToolsFailBeforeSending(t *testing.T) {
	f := newFixture(t, nil)
	for name, tools := range map[string][]provider.Tool{
		"no name":             {{Description: "x"}},
		"twice":               {lookupOrder, lookupOrder},
		"parameters not JSON": {{Name: "x", Parameters: []byte(`{"type":`)}},
	} {
		_, err := f.completeTools(t.Context(), f.opts(nil), tools)
		require.ErrorIs(t, err, provider.ErrInvalidInput, name)
	}
	_, err := f.completeTools(t.Context(), f.opts(nil), nil, provider.Message{Role: provider.RoleTool, Content: "{}"})
	require.ErrorIs(t, err, provider.ErrInvalidInput)
	assert.Contains(t, err.Error(), "without a tool call id")
	assert.Empty(t, f.srv.Requests(""))
}

func TestTooManyToolCallsFail(t *testing.T) {
	f := newFixture(t, nil)
	var cs []oaifake.Chunk
	for i := range maxToolCalls + 1 {
		cs = append(cs, oaifake.ToolCallStart(i, "call", "lookup_order"))
	}
	f.srv.Enqueue(oaifake.ChatPath, oaifake.ChatStream(0, cs...))
	_, err := f.completeTools(t.Context(), f.opts(nil), []provider.Tool{lookupOrder})
	require.ErrorIs(t, err, provider.ErrInvalidInput)
	assert.Contains(t, err.Error(), "more than 64 tools")
}
