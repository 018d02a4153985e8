package main

import (
	"context"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/parleyhq/parley/runtime/provider"
)

// toolOptions is a script whose order intent looks orders up.
func toolOptions() provider.Options {
	return provider.Options{
		"intents": []any{
			map[string]any{"name": "hours", "keywords": []any{"open", "hours"}, "reply": "We open at nine."},
			map[string]any{
				"name": "order_status", "keywords": []any{"order", "tracking"},
				"tool": map[string]any{
					"name":      "lookup_order",
					"arguments": map[string]any{"order_number": "{digits}", "channel": "phone", "heard": "{text}"},
					"say":       "Let me check.",
				},
				"missing_reply":    "What is your order number?",
				"reply":            "Order {{arguments.order_number}} is {{result.status}}, arriving {{result.eta.day}}.",
				"tool_error_reply": "Sorry, I cannot find order {{arguments.order_number}} right now.",
			},
			map[string]any{
				"name": "transfer", "keywords": []any{"person", "human"},
				"tool":             map[string]any{"name": "transfer_call", "arguments": map[string]any{"to": "sales"}},
				"reply":            "Transferring you now.",
				"tool_error_reply": "Nobody is free, sorry.",
			},
		},
		"fallback": "Sorry?",
		"hangup":   map[string]any{"keywords": []any{"bye"}, "reply": "Bye."},
	}
}

var offered = []provider.Tool{{Name: "lookup_order"}, {Name: "transfer_call"}}

func complete(t *testing.T, req provider.ChatRequest) []provider.ChatDelta {
	t.Helper()
	st, err := newChat().Complete(context.Background(), req)
	require.NoError(t, err)
	deltas, err := provider.Collect(st)
	require.NoError(t, err)
	return deltas
}

func TestIntentCallsItsTool(t *testing.T) {
	opts := toolOptions()
	said := "where is my order one two three four five"
	req := provider.ChatRequest{Options: opts, Tools: offered, Messages: []provider.Message{
		{Role: provider.RoleUser, Content: "hello"}, {Role: provider.RoleAssistant, Content: "Hi."},
		{Role: provider.RoleUser, Content: said},
	}}
	call := provider.ToolCall{ID: "call_1_2", Name: "lookup_order", Arguments: `{"channel":"phone","heard":"` + said + `","order_number":"12345"}`}
	require.Equal(t, []provider.ChatDelta{{Text: "Let me check."}, {ToolCalls: []provider.ToolCall{call}}}, complete(t, req))

	// The runtime ran the tool and asks again with its result.
	req.Messages = append(req.Messages,
		provider.Message{Role: provider.RoleAssistant, Content: "Let me check.", ToolCalls: []provider.ToolCall{call}},
		provider.Message{Role: provider.RoleTool, ToolCallID: "call_1_2", Content: `{"status":"shipped","eta":{"day":"Friday"}}`})
	text, endCall := joined(complete(t, req))
	require.Equal(t, "Order 12345 is shipped, arriving Friday.", text)
	require.Empty(t, endCall)

	for name, result := range map[string]string{
		"error field":   `{"error":"tool timed out after 5s"}`,
		"not JSON":      `<html>502</html>`,
		"missing field": `{"status":"shipped"}`,
	} {
		t.Run(name, func(t *testing.T) {
			r := req
			r.Messages = append(append([]provider.Message{}, req.Messages[:len(req.Messages)-1]...),
				provider.Message{Role: provider.RoleTool, ToolCallID: "call_1_2", Content: result})
			text, _ := joined(complete(t, r))
			require.Equal(t, "Sorry, I cannot find order 12345 right now.", text)
		})
	}
}

func TestIntentAsksForMissingDigits(t *testing.T) {
	opts := toolOptions()
	req := provider.ChatRequest{Options: opts, Tools: offered, Messages: []provider.Message{{Role: provider.RoleUser, Content: "I want to check my order"}}}
	text, _ := joined(complete(t, req))
	require.Equal(t, "What is your order number?", text)

	// The caller's answer has no keyword: it answers the question asked.
	req.Messages = append(req.Messages,
		provider.Message{Role: provider.RoleAssistant, Content: "What is your order number?"},
		provider.Message{Role: provider.RoleUser, Content: "it is five five seven oh one"})
	deltas := complete(t, req)
	require.Len(t, deltas, 2)
	require.Equal(t, "lookup_order", deltas[1].ToolCalls[0].Name)
	require.JSONEq(t, `{"channel":"phone","heard":"it is five five seven oh one","order_number":"55701"}`, deltas[1].ToolCalls[0].Arguments)
	require.Equal(t, "call_1_2", deltas[1].ToolCalls[0].ID)

	// Other intents still win over the pending question.
	req.Messages[len(req.Messages)-1].Content = "what are your opening hours"
	text, _ = joined(complete(t, req))
	require.Equal(t, "We open at nine.", text)
	// Without digits or another intent, it asks again.
	req.Messages[len(req.Messages)-1].Content = "hmm let me see"
	text, _ = joined(complete(t, req))
	require.Equal(t, "What is your order number?", text)
}

func TestToolWithoutDigitsAndNotOffered(t *testing.T) {
	opts := toolOptions()
	req := provider.ChatRequest{Options: opts, Tools: offered, Messages: []provider.Message{{Role: provider.RoleUser, Content: "a person please"}}}
	require.Equal(t, []provider.ChatDelta{{ToolCalls: []provider.ToolCall{{ID: "call_2_1", Name: "transfer_call", Arguments: `{"to":"sales"}`}}}}, complete(t, req))

	// An agent that does not offer the tool gets the error reply, no call.
	req.Tools = []provider.Tool{{Name: "lookup_order"}}
	text, _ := joined(complete(t, req))
	require.Equal(t, "Nobody is free, sorry.", text)
	req.Tools = nil
	req.Messages[0].Content = "order 42"
	text, _ = joined(complete(t, req))
	require.Equal(t, "Sorry, I cannot find order 42 right now.", text)
}

func TestToolResultForAnUnknownCall(t *testing.T) {
	req := provider.ChatRequest{Options: toolOptions(), Tools: offered, Messages: []provider.Message{
		{Role: provider.RoleUser, Content: "order 1"},
		{Role: provider.RoleTool, ToolCallID: "call_9_9", Content: `{}`},
	}}
	text, _ := joined(complete(t, req))
	require.Equal(t, "Sorry?", text)
}

func TestValidateToolOptions(t *testing.T) {
	type problems = []provider.OptionProblem
	intent := func(change func(m map[string]any)) provider.Options {
		o := toolOptions()
		change(o["intents"].([]any)[1].(map[string]any))
		return o
	}
	for _, tc := range []struct {
		name string
		opts provider.Options
		want problems
	}{
		{"valid", toolOptions(), nil},
		{"tool not a mapping", intent(func(m map[string]any) { m["tool"] = "lookup_order" }), problems{
			{Option: "intents[1].tool", Message: `must be a mapping with name and arguments, not the text "lookup_order"`},
		}},
		{"tool fields", intent(func(m map[string]any) {
			m["tool"] = map[string]any{"name": "look up!", "arguments": map[string]any{"n": "{digit}", "list": []any{"{text}", "{x}"}}, "say": " ", "url": "x"}
			m["reply"] = "It is {{status}} {{result.}} {{result"
			m["tool_error_reply"] = "No {{result.status}}."
		}), problems{
			{Option: "intents[1].tool.url", Message: "unknown option (known: name, arguments, say)"},
			{Option: "intents[1].tool.name", Message: `"look up!" must be 1 to 64 letters, digits, _ or -`},
			{Option: "intents[1].tool.arguments.list[1]", Message: "unknown placeholder {x} (known: {digits}, {text})"},
			{Option: "intents[1].tool.arguments.n", Message: "unknown placeholder {digit} (known: {digits}, {text})"},
			{Option: "intents[1].tool.say", Message: "must not be empty"},
			{Option: "intents[1].tool_error_reply", Message: "{{result.status}} is not a field (use {{arguments}} or {{arguments.key}})"},
			{Option: "intents[1].missing_reply", Message: "only an intent whose tool arguments use {digits} asks for them"},
			{Option: "intents[1].reply", Message: "{{status}} is not a field (use {{result}}, {{arguments}} or {{result.key}})"},
			{Option: "intents[1].reply", Message: "{{result.}} is not a field (use {{result}}, {{arguments}} or {{result.key}})"},
			{Option: "intents[1].reply", Message: `"{{result" opens {{ without closing it`},
		}},
		{"digits need missing_reply, tool needs tool_error_reply", intent(func(m map[string]any) {
			delete(m, "missing_reply")
			delete(m, "tool_error_reply")
			m["tool"].(map[string]any)["arguments"] = "{digits}"
		}), problems{
			{Option: "intents[1].tool.arguments", Message: `must be a mapping of argument names to values, not the text "{digits}"`},
			{Option: "intents[1].tool_error_reply", Message: "required"},
		}},
		{"missing_reply required with digits", intent(func(m map[string]any) { delete(m, "missing_reply") }), problems{
			{Option: "intents[1].missing_reply", Message: "required"},
		}},
		{"tool keys without a tool", provider.Options{
			"intents":  []any{map[string]any{"name": "a", "keywords": []any{"x"}, "reply": "A {{result.x}}.", "missing_reply": "?", "tool_error_reply": "!"}},
			"fallback": "F.",
		}, problems{
			{Option: "intents[0].tool_error_reply", Message: "only an intent with a tool takes tool_error_reply"},
			{Option: "intents[0].missing_reply", Message: "only an intent with a tool takes missing_reply"},
		}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got, err := newChat().ValidateOptions(context.Background(), provider.ValidateRequest{Kind: provider.KindChat, Options: tc.opts})
			require.NoError(t, err)
			require.Equal(t, tc.want, got)
		})
	}
}
