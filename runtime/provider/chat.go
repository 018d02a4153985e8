package provider

import (
	"context"
	"encoding/json"
)

// Role says who wrote a chat message.
type Role string

// The roles of chat messages.
const (
	RoleUser      Role = "user"
	RoleAssistant Role = "assistant"
	// RoleTool carries a tool's result back to the model; ToolCallID names
	// the call it answers.
	RoleTool Role = "tool"
)

// Message is one turn of the conversation, oldest first.
type Message struct {
	Role    Role
	Content string
	// ToolCalls are the tools an assistant message called (its Content
	// may then be empty).
	ToolCalls []ToolCall
	// ToolCallID is, on a RoleTool message, the ToolCall.ID it answers.
	ToolCallID string
}

// Tool is a function the model may call.
type Tool struct {
	Name        string
	Description string
	// Parameters is the JSON Schema of the call's arguments (an object).
	Parameters json.RawMessage
}

// ToolCall is one call the model made: a whole call, its arguments
// complete (a plugin gathers the streamed pieces first).
type ToolCall struct {
	// ID pairs the call with its result (RoleTool message); unique within
	// one reply.
	ID   string
	Name string
	// Arguments is the JSON object the model wrote; it may be malformed,
	// which the runtime reports back to the model.
	Arguments string
}

// ChatRequest asks for the agent's next reply.
type ChatRequest struct {
	SystemPrompt string
	Messages     []Message // history window then the caller's turn, last
	Language     string
	Options      Options
	// Tools the model may call; empty for none. A plugin that cannot call
	// tools ignores them.
	Tools []Tool
}

// ChatDelta is the next piece of a reply.
type ChatDelta struct {
	Text string
	// EndCall asks the runtime to hang up once this reply has been spoken
	// (the scripted hang-up intent, an LLM's end_call tool call).
	EndCall bool
	// ToolCalls are calls the model made, each complete; several in one
	// reply are parallel calls. The runtime runs them and asks again with
	// their results.
	ToolCalls []ToolCall
}

// Chat writes the agent's replies.
type Chat interface {
	// Complete streams the reply to req. Cancelling ctx (or closing the
	// stream) stops generation promptly; the stream then returns ctx's error.
	Complete(ctx context.Context, req ChatRequest) (Stream[ChatDelta], error)
}
