package provider

import "context"

// Role says who wrote a chat message.
type Role string

// The roles of chat messages.
const (
	RoleUser      Role = "user"
	RoleAssistant Role = "assistant"
)

// Message is one turn of the conversation, oldest first.
type Message struct {
	Role    Role
	Content string
}

// ChatRequest asks for the agent's next reply.
type ChatRequest struct {
	SystemPrompt string
	Messages     []Message // history window then the caller's turn, last
	Language     string
	Options      Options
}

// ChatDelta is the next piece of a reply.
type ChatDelta struct {
	Text string
	// EndCall asks the runtime to hang up once this reply has been spoken
	// (the scripted hang-up intent, an LLM's end_call tool call).
	EndCall bool
}

// Chat writes the agent's replies.
type Chat interface {
	// Complete streams the reply to req. Cancelling ctx (or closing the
	// stream) stops generation promptly; the stream then returns ctx's error.
	Complete(ctx context.Context, req ChatRequest) (Stream[ChatDelta], error)
}
