package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"strings"

	"github.com/hashicorp/go-hclog"
	openai "github.com/sashabaranov/go-openai"

	"github.com/parleyhq/parley/plugins/internal/oai"
	"github.com/parleyhq/parley/runtime/provider"
)

var (
	_ provider.Chat      = (*chat)(nil)
	_ provider.Validator = (*chat)(nil)
)

// chat is the openai-chat provider.
type chat struct {
	backend *oai.Backend
	log     hclog.Logger
}

func newChat(log hclog.Logger) *chat {
	return &chat{backend: oai.NewBackend(log), log: log}
}

// Complete implements provider.Chat. The request is sent (and retried)
// before Complete returns, so a refused key or an unknown model fails here;
// the reply then streams as deltas in the order the model writes them.
// When the model calls end_call the stream ends with a delta whose EndCall
// is true (and no text). Cancelling ctx or closing the stream closes the
// HTTP response at once.
func (c *chat) Complete(ctx context.Context, req provider.ChatRequest) (provider.Stream[provider.ChatDelta], error) {
	o, err := c.parseOptions(req.Options)
	if err != nil {
		return nil, fmt.Errorf("complete: %w", err)
	}
	msgs, err := messages(req)
	if err != nil {
		return nil, fmt.Errorf("complete: %w", err)
	}
	creq := openai.ChatCompletionRequest{Model: o.model, Messages: msgs, Stream: true}
	if o.endCallTool {
		creq.Tools = []openai.Tool{endCallTool}
	}
	if o.temperature != nil {
		oai.SetTemperature(&creq, *o.temperature)
	}
	if o.maxTokens > 0 {
		oai.SetMaxTokens(&creq, o.maxTokens)
	}

	// The request has a context of its own so that closing the stream
	// (not only cancelling ctx) aborts the HTTP response.
	reqCtx, cancel := context.WithCancel(ctx)
	st, err := c.backend.Client(o.cfg).CreateChatCompletionStream(reqCtx, creq)
	if err != nil {
		cancel()
		err = oai.MapError(ctx, err, o.cfg, o.model)
		if ctx.Err() == nil {
			c.log.Warn("chat completion failed", "model", o.model, "error", err.Error())
		}
		return nil, fmt.Errorf("complete: %w", err)
	}
	c.log.Debug("chat completion started", "model", o.model, "messages", len(msgs))
	return provider.Produce(ctx, func(ctx context.Context, send func(provider.ChatDelta) error) error {
		defer cancel()
		stop := context.AfterFunc(ctx, cancel)
		defer stop()
		defer func() { _ = st.Close() }()
		return c.relay(ctx, st, send, o)
	}), nil
}

// relay sends the text deltas of st, then the end-call delta if the model
// asked for it.
func (c *chat) relay(ctx context.Context, st *openai.ChatCompletionStream, send func(provider.ChatDelta) error, o options) error {
	var calls toolCalls
	for {
		resp, err := st.Recv()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			err = oai.MapError(ctx, err, o.cfg, o.model)
			if ctx.Err() == nil {
				c.log.Warn("chat stream failed", "model", o.model, "error", err.Error())
			}
			return fmt.Errorf("complete: %w", err)
		}
		for _, ch := range resp.Choices {
			if ch.Index != 0 {
				continue
			}
			if ch.Delta.Content != "" {
				if err := send(provider.ChatDelta{Text: ch.Delta.Content}); err != nil {
					return err
				}
			}
			calls.add(ch.Delta.ToolCalls)
		}
	}
	if len(calls.calls) > 0 {
		c.log.Debug("model called tools", "tools", strings.Join(calls.names(), ","), "arguments_valid", calls.argsValid())
	}
	if calls.endCall() {
		return send(provider.ChatDelta{EndCall: true})
	}
	return nil
}

// messages maps the system prompt and the conversation to OpenAI's roles.
// Messages with blank content are left out (OpenAI refuses an assistant
// message without content).
func messages(req provider.ChatRequest) ([]openai.ChatCompletionMessage, error) {
	out := make([]openai.ChatCompletionMessage, 0, len(req.Messages)+1)
	if strings.TrimSpace(req.SystemPrompt) != "" {
		out = append(out, openai.ChatCompletionMessage{Role: openai.ChatMessageRoleSystem, Content: req.SystemPrompt})
	}
	for i, m := range req.Messages {
		var role string
		switch m.Role {
		case provider.RoleUser:
			role = openai.ChatMessageRoleUser
		case provider.RoleAssistant:
			role = openai.ChatMessageRoleAssistant
		default:
			return nil, fmt.Errorf("%w: message %d has role %q (want user or assistant)", provider.ErrInvalidInput, i, m.Role)
		}
		if strings.TrimSpace(m.Content) == "" {
			continue
		}
		out = append(out, openai.ChatCompletionMessage{Role: role, Content: m.Content})
	}
	if len(out) == 0 {
		return nil, fmt.Errorf("%w: no system prompt and no messages", provider.ErrInvalidInput)
	}
	return out, nil
}
