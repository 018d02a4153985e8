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
// Tool calls the model makes come in one delta after the text, each
// complete (arguments as the model wrote them, even when malformed). When
// the model calls end_call the stream ends with a delta whose EndCall is
// true (and no text); end_call never appears among the tool calls. Cancelling ctx or closing the stream closes the
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
	fns, err := tools(req, o.endCallTool)
	if err != nil {
		return nil, fmt.Errorf("complete: %w", err)
	}
	creq := openai.ChatCompletionRequest{Model: o.model, Messages: msgs, Stream: true}
	if len(fns) > 0 {
		creq.Tools = fns
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

// relay sends the text deltas of st as they come, then the tool calls the
// model made (complete, in one delta: parallel calls together), then the
// end-call delta if the model asked for it.
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
			if err := calls.add(ch.Delta.ToolCalls); err != nil {
				return fmt.Errorf("complete: %w", err)
			}
		}
	}
	if len(calls.calls) > 0 {
		c.log.Debug("model called tools", "tools", strings.Join(calls.names(), ","), "arguments_valid", calls.argsValid())
	}
	if tc := calls.complete(); len(tc) > 0 {
		if err := send(provider.ChatDelta{ToolCalls: tc}); err != nil {
			return err
		}
	}
	if calls.endCall() {
		return send(provider.ChatDelta{EndCall: true})
	}
	return nil
}
