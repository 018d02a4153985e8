package main

import (
	"encoding/json"

	openai "github.com/sashabaranov/go-openai"
)

// endCallName is the tool the model calls to hang up.
const endCallName = "end_call"

// endCallTool is offered with every request (unless end_call_tool is
// false): the model says goodbye in its reply and calls it.
var endCallTool = openai.Tool{
	Type: openai.ToolTypeFunction,
	Function: &openai.FunctionDefinition{
		Name: endCallName,
		Description: "Hang up the phone call after saying goodbye. Use it when the caller wants to end the call " +
			"or the conversation is over, and say goodbye in the same reply.",
		Parameters: json.RawMessage(`{"type":"object","properties":{}}`),
	},
}

// toolCalls gathers the tool calls of a streamed reply: OpenAI sends the
// name in a call's first delta and its JSON arguments in pieces after it.
type toolCalls struct {
	calls []*toolCall
}

type toolCall struct {
	index int
	id    string
	name  string
	args  []byte
}

// add folds one delta's tool-call pieces in. A piece is matched by its
// index, else by its id; a piece with neither continues the last call.
func (t *toolCalls) add(deltas []openai.ToolCall) {
	for _, d := range deltas {
		c := t.find(d)
		if d.ID != "" {
			c.id = d.ID
		}
		if d.Function.Name != "" {
			c.name = d.Function.Name
		}
		c.args = append(c.args, d.Function.Arguments...)
	}
}

func (t *toolCalls) find(d openai.ToolCall) *toolCall {
	for _, c := range t.calls {
		if (d.Index != nil && c.index == *d.Index) || (d.Index == nil && d.ID != "" && c.id == d.ID) {
			return c
		}
	}
	if d.Index == nil && d.ID == "" && len(t.calls) > 0 {
		return t.calls[len(t.calls)-1]
	}
	c := &toolCall{index: len(t.calls)}
	if d.Index != nil {
		c.index = *d.Index
	}
	t.calls = append(t.calls, c)
	return c
}

// endCall reports whether the model called end_call. Its arguments do not
// matter, so malformed ones still hang up.
func (t *toolCalls) endCall() bool {
	for _, c := range t.calls {
		if c.name == endCallName {
			return true
		}
	}
	return false
}

// names lists the tools called, for the log.
func (t *toolCalls) names() []string {
	out := make([]string, len(t.calls))
	for i, c := range t.calls {
		out[i] = c.name
	}
	return out
}

// argsValid reports whether every call's arguments are empty or JSON.
func (t *toolCalls) argsValid() bool {
	for _, c := range t.calls {
		if len(c.args) > 0 && !json.Valid(c.args) {
			return false
		}
	}
	return true
}
