package main

import (
	"context"
	"fmt"
	"strings"

	"github.com/parleyhq/parley/runtime/provider"
)

// chat is the plugin: provider.Chat and provider.Validator over scripts
// read from options.
type chat struct {
	scripts *scripts
}

var (
	_ provider.Chat      = (*chat)(nil)
	_ provider.Validator = (*chat)(nil)
)

func newChat() *chat { return &chat{scripts: newScripts()} }

// Complete answers the last user message of req by the script in
// req.Options, streaming the reply a sentence at a time; the hang-up reply
// sets EndCall on its last delta. An intent with a tool answers with a
// ToolCall instead (after its optional say text), and the request that
// carries the tool's result (the last message has the tool role) gets the
// intent's reply filled from it. Invalid options are ErrInvalidOptions; a
// request without a user message is ErrInvalidInput.
func (c *chat) Complete(ctx context.Context, req provider.ChatRequest) (provider.Stream[provider.ChatDelta], error) {
	s, err := c.script(req.Options)
	if err != nil {
		return nil, err
	}
	deltas, err := s.answerRequest(req)
	if err != nil {
		return nil, err
	}
	return provider.Produce(ctx, func(_ context.Context, send func(provider.ChatDelta) error) error {
		for _, d := range deltas {
			if err := send(d); err != nil {
				return err
			}
		}
		return nil
	}), nil
}

// ValidateOptions reports every problem of the script in req.Options.
func (c *chat) ValidateOptions(_ context.Context, req provider.ValidateRequest) ([]provider.OptionProblem, error) {
	p, err := c.scripts.get(req.Options)
	if err != nil {
		return nil, err
	}
	return p.problems, nil
}

// script returns the parsed script of opts, or ErrInvalidOptions naming its
// problems.
func (c *chat) script(opts provider.Options) (*script, error) {
	p, err := c.scripts.get(opts)
	if err != nil {
		return nil, err
	}
	if len(p.problems) > 0 {
		msgs := make([]string, len(p.problems))
		for i, pr := range p.problems {
			msgs[i] = pr.String()
		}
		return nil, fmt.Errorf("%w: %s", provider.ErrInvalidOptions, strings.Join(msgs, "; "))
	}
	return p.script, nil
}
