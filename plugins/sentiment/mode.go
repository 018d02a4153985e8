package main

import (
	"context"

	"github.com/parleyhq/parley/plugins/internal/oai"
	"github.com/parleyhq/parley/runtime/provider"
)

// The modes, chosen by options.mode.
const (
	modeLexicon = "lexicon"
	modeLLM     = "llm"
	defaultMode = modeLexicon
)

// knownModes lists every mode, served by this build or not, in the order
// messages show them.
var knownModes = []string{modeLexicon, modeLLM}

// scorer scores one text in one mode.
type scorer interface {
	score(ctx context.Context, req provider.SentimentRequest) (provider.SentimentResult, error)
}

// scorerFunc adapts a function to scorer.
type scorerFunc func(ctx context.Context, req provider.SentimentRequest) (provider.SentimentResult, error)

func (f scorerFunc) score(ctx context.Context, req provider.SentimentRequest) (provider.SentimentResult, error) {
	return f(ctx, req)
}

// mode is one way of scoring.
type mode struct {
	scorer scorer
	// validate checks the options of this mode; options.mode itself has
	// been checked already.
	validate func(provider.Options) []provider.OptionProblem
}

// builtModes are the modes this build serves: the offline lexicon, and an
// OpenAI-compatible chat model asked for JSON (plugins/internal/oai).
func builtModes() map[string]mode {
	return map[string]mode{
		modeLexicon: {scorer: lexicon{}, validate: onlyOption("mode")},
		modeLLM: {
			scorer: scorerFunc(func(ctx context.Context, req provider.SentimentRequest) (provider.SentimentResult, error) {
				return oai.Sentiment(ctx, req.Options, req.Text, req.Language)
			}),
			validate: func(o provider.Options) []provider.OptionProblem { return oai.ValidateSentimentOptions(o, "mode") },
		},
	}
}
