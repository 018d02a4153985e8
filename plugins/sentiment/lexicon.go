package main

import (
	"context"

	"github.com/parleyhq/parley/plugins/sentiment/english"
	"github.com/parleyhq/parley/plugins/sentiment/korean"
	"github.com/parleyhq/parley/runtime/provider"
)

// lexicon is the offline mode: VADER for English, our own lexicon for
// Korean. It takes well under a millisecond, so it ignores ctx.
type lexicon struct{}

func (lexicon) score(_ context.Context, req provider.SentimentRequest) (provider.SentimentResult, error) {
	var compound float64
	switch languageOf(req.Language, req.Text) {
	case languageKorean:
		compound = korean.Compound(req.Text)
	default:
		compound = english.Compound(req.Text)
	}
	return resultOf(compound), nil
}
