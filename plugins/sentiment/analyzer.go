package main

import (
	"context"
	"fmt"
	"strings"

	"github.com/parleyhq/parley/runtime/provider"
)

// analyzer is the plugin: provider.Sentiment and provider.Validator over the
// modes this build serves.
type analyzer struct {
	modes map[string]mode
}

var (
	_ provider.Sentiment = (*analyzer)(nil)
	_ provider.Validator = (*analyzer)(nil)
)

func newAnalyzer() *analyzer { return &analyzer{modes: builtModes()} }

// Analyze scores req.Text in the mode its options choose. Empty text is
// ErrInvalidInput; a mode this build lacks is ErrInvalidOptions.
func (a *analyzer) Analyze(ctx context.Context, req provider.SentimentRequest) (provider.SentimentResult, error) {
	if strings.TrimSpace(req.Text) == "" {
		return provider.SentimentResult{}, fmt.Errorf("%w: no text to score", provider.ErrInvalidInput)
	}
	name, m, problem := a.mode(req.Options)
	if problem != nil {
		return provider.SentimentResult{}, fmt.Errorf("%w: %s", provider.ErrInvalidOptions, problem)
	}
	res, err := m.scorer.score(ctx, req)
	if err != nil {
		return provider.SentimentResult{}, fmt.Errorf("sentiment (%s mode): %w", name, err)
	}
	return res, nil
}

// ValidateOptions checks options.mode, then the options of that mode, and
// that the lexicon mode has a lexicon for the agent's language. (The
// plugin declares no languages: which it serves depends on the mode.)
func (a *analyzer) ValidateOptions(_ context.Context, req provider.ValidateRequest) ([]provider.OptionProblem, error) {
	name, m, problem := a.mode(req.Options)
	if problem != nil {
		return []provider.OptionProblem{*problem}, nil
	}
	problems := m.validate(req.Options)
	if name == modeLexicon && !lexiconScores(req.Language) {
		problems = append(problems, provider.OptionProblem{Option: "mode", Message: fmt.Sprintf(
			"the lexicon mode scores en and ko only, not %s: use mode llm for other languages", req.Language)})
	}
	return problems, nil
}

// mode returns the mode options choose (defaultMode when options.mode is
// absent), or the problem with options.mode.
func (a *analyzer) mode(opts provider.Options) (string, mode, *provider.OptionProblem) {
	raw, ok := opts["mode"]
	if !ok {
		return defaultMode, a.modes[defaultMode], nil
	}
	name, ok := raw.(string)
	if !ok {
		return "", mode{}, &provider.OptionProblem{Option: "mode", Message: fmt.Sprintf("must be a string, one of %s", strings.Join(knownModes, ", "))}
	}
	if m, ok := a.modes[name]; ok {
		return name, m, nil
	}
	for _, known := range knownModes {
		if name == known {
			return "", mode{}, &provider.OptionProblem{Option: "mode", Message: fmt.Sprintf("mode %q is not available in this build of the sentiment plugin", name)}
		}
	}
	return "", mode{}, &provider.OptionProblem{Option: "mode", Message: fmt.Sprintf("unknown mode %q: must be one of %s", name, strings.Join(knownModes, ", "))}
}
