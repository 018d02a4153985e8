package main

import (
	"encoding/json"
	"fmt"
	"strings"

	openai "github.com/sashabaranov/go-openai"

	"github.com/parleyhq/parley/runtime/provider"
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
	size  int // bytes of arguments so far
}

type toolCall struct {
	index int
	id    string
	name  string
	args  []byte
}

// The limits of one reply's tool calls: a model (or a server) that streams
// past them fails the reply rather than growing the plugin's memory.
const (
	maxToolCalls = 64
	maxToolArgs  = 256 << 10 // bytes of arguments over all calls
)

// add folds one delta's tool-call pieces in. A piece is matched by its
// index, else by its id; a piece with neither continues the last call.
func (t *toolCalls) add(deltas []openai.ToolCall) error {
	for _, d := range deltas {
		c := t.find(d)
		if len(t.calls) > maxToolCalls {
			return fmt.Errorf("%w: the model called more than %d tools in one reply", provider.ErrInvalidInput, maxToolCalls)
		}
		if d.ID != "" {
			c.id = d.ID
		}
		if d.Function.Name != "" {
			c.name = d.Function.Name
		}
		t.size += len(d.Function.Arguments)
		if t.size > maxToolArgs {
			return fmt.Errorf("%w: tool call arguments longer than %d bytes", provider.ErrInvalidInput, maxToolArgs)
		}
		c.args = append(c.args, d.Function.Arguments...)
	}
	return nil
}

// complete returns the calls other than end_call, in the order the model
// made them, with their arguments as written ("{}" when it wrote none). A
// call without an id (some OpenAI-compatible servers send none) gets
// call_<n>, so its result can still be paired with it.
func (t *toolCalls) complete() []provider.ToolCall {
	var out []provider.ToolCall
	for i, c := range t.calls {
		if c.name == endCallName {
			continue
		}
		id := c.id
		if id == "" {
			id = fmt.Sprintf("call_%d", i)
		}
		args := string(c.args)
		if strings.TrimSpace(args) == "" {
			args = "{}"
		}
		out = append(out, provider.ToolCall{ID: id, Name: c.name, Arguments: args})
	}
	return out
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
