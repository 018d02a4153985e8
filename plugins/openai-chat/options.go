package main

import (
	"context"

	"github.com/parleyhq/parley/plugins/internal/oai"
	"github.com/parleyhq/parley/runtime/provider"
)

// The options of openai-chat beyond the common ones.
const (
	optTemperature = "temperature"
	optMaxTokens   = "max_tokens"
	optEndCallTool = "end_call_tool"
)

func knownKeys() []string {
	return append(oai.CommonKeys(), oai.OptModel, optTemperature, optMaxTokens, optEndCallTool)
}

// options are one request's parsed options.
type options struct {
	cfg         oai.Config
	model       string
	temperature *float64 // nil: the model's default
	maxTokens   int      // 0: no limit
	endCallTool bool
}

// readOptions parses opts, recording every problem in r.
func (c *chat) readOptions(r *oai.OptionReader) options {
	o := options{
		cfg:         c.backend.ReadConfig(r),
		model:       c.backend.ChatModel(r),
		maxTokens:   r.Int(optMaxTokens, 0, 1, 1_000_000),
		endCallTool: r.Bool(optEndCallTool, true),
	}
	if t, ok := r.Float(optTemperature, 0, 2); ok {
		o.temperature = &t
		if o.cfg.IsOpenAI() && oai.IsReasoningModel(o.model) && t != 1 {
			r.Problemf(optTemperature, "model %q only takes its default temperature: remove the option", o.model)
		}
	}
	r.RejectUnknown(knownKeys()...)
	return o
}

// parseOptions is readOptions for a request: problems become one error
// wrapping provider.ErrInvalidOptions.
func (c *chat) parseOptions(opts provider.Options) (options, error) {
	r := oai.NewOptionReader(opts)
	o := c.readOptions(r)
	return o, r.Err()
}

// ValidateOptions implements provider.Validator.
func (c *chat) ValidateOptions(_ context.Context, req provider.ValidateRequest) ([]provider.OptionProblem, error) {
	r := oai.NewOptionReader(req.Options)
	c.readOptions(r)
	return r.Problems(), nil
}
