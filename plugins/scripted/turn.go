package main

import (
	"encoding/json"
	"fmt"
	"slices"
	"strings"

	"github.com/parleyhq/parley/runtime/provider"
)

// answerRequest is the script's reply to req, as the deltas to stream.
func (s *script) answerRequest(req provider.ChatRequest) ([]provider.ChatDelta, error) {
	msgs := req.Messages
	if n := len(msgs); n > 0 && msgs[n-1].Role == provider.RoleTool {
		return s.afterTool(msgs), nil
	}
	at, ok := lastUserMessage(msgs)
	if !ok {
		return nil, fmt.Errorf("%w: no user message to answer", provider.ErrInvalidInput)
	}
	text := msgs[at].Content
	a := s.respond(text)
	if a.index < 0 && !a.endCall {
		a.index = s.asked(msgs[:at])
	}
	if a.index < 0 || s.intents[a.index].tool == nil {
		return speak(a.reply, a.endCall), nil
	}
	in := &s.intents[a.index]
	t := in.tool
	digits := spokenDigits(text)
	if t.needsDigits && digits == "" {
		return speak(t.missing, false), nil
	}
	args, err := t.callArguments(text, digits)
	if err != nil {
		return nil, fmt.Errorf("%w: %w", provider.ErrInvalidOptions, err)
	}
	if !slices.ContainsFunc(req.Tools, func(o provider.Tool) bool { return o.Name == t.name }) {
		// The agent does not offer the tool: say so rather than call it.
		return speak(s.toolError(t, args), false), nil
	}
	var out []provider.ChatDelta
	if t.say != "" {
		out = speak(newReply(t.say), false)
	}
	call := provider.ToolCall{ID: fmt.Sprintf("call_%d_%d", a.index, userTurns(msgs)), Name: t.name, Arguments: args}
	return append(out, provider.ChatDelta{ToolCalls: []provider.ToolCall{call}}), nil
}

// asked is the intent whose missing_reply the agent said last, when the
// caller is answering it (-1 for none): the number they read out then
// matches no keyword. A reply cut short by barge-in still counts.
func (s *script) asked(before []provider.Message) int {
	if len(before) == 0 || before[len(before)-1].Role != provider.RoleAssistant {
		return -1
	}
	said := strings.TrimSpace(before[len(before)-1].Content)
	if said == "" {
		return -1
	}
	for i, in := range s.intents {
		if in.tool != nil && in.tool.needsDigits && strings.HasPrefix(strings.TrimSpace(in.tool.missing.text), said) {
			return i
		}
	}
	return -1
}

// afterTool answers the tool result that ends msgs with the reply of the
// intent that called the tool, filled from the result; a failed tool (its
// result is not JSON, or has an "error") gets the tool_error_reply.
func (s *script) afterTool(msgs []provider.Message) []provider.ChatDelta {
	res := msgs[len(msgs)-1]
	call, ok := findCall(msgs, res.ToolCallID)
	if !ok {
		return speak(s.fallback, false)
	}
	in := s.intentOf(call)
	if in == nil {
		return speak(s.fallback, false)
	}
	values := map[string]any{}
	var args any
	if json.Unmarshal([]byte(call.Arguments), &args) == nil {
		values["arguments"] = args
	}
	if result, ok := toolResult(res.Content); ok {
		values["result"] = result
		if text, err := in.toolReply.render(values); err == nil {
			return speak(newReply(text), false)
		}
	}
	return speak(s.toolError(in.tool, call.Arguments), false)
}

// toolError is the intent's tool_error_reply, filled from the arguments
// when it uses them (the fallback if even that fails).
func (s *script) toolError(t *intentTool, args string) reply {
	var v any
	_ = json.Unmarshal([]byte(args), &v)
	text, err := t.errorReply.render(map[string]any{"arguments": v})
	if err != nil {
		return s.fallback
	}
	return newReply(text)
}

// intentOf is the intent that made call: the one its id names (call_<intent
// index>_<turn>) if that intent calls this tool, else the first that does.
func (s *script) intentOf(call provider.ToolCall) *intent {
	var i, turn int
	if _, err := fmt.Sscanf(call.ID, "call_%d_%d", &i, &turn); err == nil && i >= 0 && i < len(s.intents) {
		if t := s.intents[i].tool; t != nil && t.name == call.Name {
			return &s.intents[i]
		}
	}
	for i := range s.intents {
		if t := s.intents[i].tool; t != nil && t.name == call.Name {
			return &s.intents[i]
		}
	}
	return nil
}

// toolResult decodes a tool's result; false when the tool failed.
func toolResult(content string) (any, bool) {
	var v any
	if err := json.Unmarshal([]byte(content), &v); err != nil {
		return nil, false
	}
	if m, ok := v.(map[string]any); ok {
		switch e := m["error"].(type) {
		case nil:
		case bool:
			if e {
				return nil, false
			}
		case string:
			if e != "" {
				return nil, false
			}
		default:
			return nil, false
		}
	}
	return v, true
}

// findCall is the assistant's tool call with this id, the latest first.
func findCall(msgs []provider.Message, id string) (provider.ToolCall, bool) {
	for i := len(msgs) - 1; i >= 0; i-- {
		for _, c := range msgs[i].ToolCalls {
			if c.ID == id {
				return c, true
			}
		}
	}
	return provider.ToolCall{}, false
}

// speak streams r a sentence a delta, EndCall on the last when endCall.
func speak(r reply, endCall bool) []provider.ChatDelta {
	out := make([]provider.ChatDelta, len(r.pieces))
	for i, p := range r.pieces {
		out[i] = provider.ChatDelta{Text: p, EndCall: endCall && i == len(r.pieces)-1}
	}
	return out
}

// lastUserMessage is the index of the last message with the user role.
func lastUserMessage(msgs []provider.Message) (int, bool) {
	for i := len(msgs) - 1; i >= 0; i-- {
		if msgs[i].Role == provider.RoleUser {
			return i, true
		}
	}
	return -1, false
}

// userTurns counts the caller's messages, which makes a call id unique
// within the conversation.
func userTurns(msgs []provider.Message) int {
	n := 0
	for _, m := range msgs {
		if m.Role == provider.RoleUser {
			n++
		}
	}
	return n
}
