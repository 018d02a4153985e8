package main

import (
	"encoding/json"
	"fmt"
	"strings"

	openai "github.com/sashabaranov/go-openai"

	"github.com/parleyhq/parley/runtime/provider"
)

// noParameters is the schema sent for a tool that declares none: OpenAI
// wants an object schema on every function.
var noParameters = json.RawMessage(`{"type":"object","properties":{}}`)

// tools maps the request's tools to OpenAI functions, with the built-in
// end_call beside them when offered. A request tool named end_call takes
// the built-in's place (OpenAI refuses two functions of one name); either
// way a call to it becomes ChatDelta.EndCall.
func tools(req provider.ChatRequest, endCall bool) ([]openai.Tool, error) {
	out := make([]openai.Tool, 0, len(req.Tools)+1)
	seen := make(map[string]bool, len(req.Tools))
	for i, t := range req.Tools {
		if strings.TrimSpace(t.Name) == "" {
			return nil, fmt.Errorf("%w: tool %d has no name", provider.ErrInvalidInput, i)
		}
		if seen[t.Name] {
			return nil, fmt.Errorf("%w: tool %q is offered twice", provider.ErrInvalidInput, t.Name)
		}
		seen[t.Name] = true
		params := noParameters
		if len(t.Parameters) > 0 {
			if !json.Valid(t.Parameters) {
				return nil, fmt.Errorf("%w: tool %q: parameters are not JSON", provider.ErrInvalidInput, t.Name)
			}
			params = t.Parameters
		}
		out = append(out, openai.Tool{Type: openai.ToolTypeFunction, Function: &openai.FunctionDefinition{
			Name: t.Name, Description: t.Description, Parameters: params,
		}})
	}
	if endCall && !seen[endCallName] {
		out = append(out, endCallTool)
	}
	return out, nil
}

// messages maps the system prompt and the conversation to OpenAI's roles.
// Messages with blank content and no tool calls are left out (OpenAI
// refuses an assistant message without content). Tool calls and their
// results are kept only in pairs: a history window that cut one half off
// would otherwise make OpenAI refuse the whole request.
func messages(req provider.ChatRequest) ([]openai.ChatCompletionMessage, error) {
	answered, called := pairs(req.Messages)
	out := make([]openai.ChatCompletionMessage, 0, len(req.Messages)+1)
	if strings.TrimSpace(req.SystemPrompt) != "" {
		out = append(out, openai.ChatCompletionMessage{Role: openai.ChatMessageRoleSystem, Content: req.SystemPrompt})
	}
	for i, m := range req.Messages {
		switch m.Role {
		case provider.RoleUser:
			if strings.TrimSpace(m.Content) != "" {
				out = append(out, openai.ChatCompletionMessage{Role: openai.ChatMessageRoleUser, Content: m.Content})
			}
		case provider.RoleAssistant:
			msg := openai.ChatCompletionMessage{Role: openai.ChatMessageRoleAssistant, Content: m.Content}
			for _, c := range m.ToolCalls {
				if answered[c.ID] {
					msg.ToolCalls = append(msg.ToolCalls, openai.ToolCall{
						ID: c.ID, Type: openai.ToolTypeFunction,
						Function: openai.FunctionCall{Name: c.Name, Arguments: c.Arguments},
					})
				}
			}
			if strings.TrimSpace(m.Content) != "" || len(msg.ToolCalls) > 0 {
				out = append(out, msg)
			}
		case provider.RoleTool:
			if m.ToolCallID == "" {
				return nil, fmt.Errorf("%w: message %d is a tool result without a tool call id", provider.ErrInvalidInput, i)
			}
			if !called[m.ToolCallID] {
				continue
			}
			content := m.Content
			if strings.TrimSpace(content) == "" {
				content = "{}" // OpenAI wants content on a tool message
			}
			out = append(out, openai.ChatCompletionMessage{Role: openai.ChatMessageRoleTool, Content: content, ToolCallID: m.ToolCallID})
		default:
			return nil, fmt.Errorf("%w: message %d has role %q (want user, assistant or tool)", provider.ErrInvalidInput, i, m.Role)
		}
	}
	if len(out) == 0 {
		return nil, fmt.Errorf("%w: no system prompt and no messages", provider.ErrInvalidInput)
	}
	return out, nil
}

// pairs finds the tool call ids that have a result after their call
// (answered) and those called before their result (called).
func pairs(msgs []provider.Message) (answered, called map[string]bool) {
	answered, called = map[string]bool{}, map[string]bool{}
	open := map[string]bool{}
	for _, m := range msgs {
		switch m.Role {
		case provider.RoleAssistant:
			for _, c := range m.ToolCalls {
				open[c.ID] = true
			}
		case provider.RoleTool:
			if open[m.ToolCallID] {
				answered[m.ToolCallID], called[m.ToolCallID] = true, true
			}
		}
	}
	return answered, called
}
