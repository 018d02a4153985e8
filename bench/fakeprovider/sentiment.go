package main

import (
	"context"

	"github.com/parleyhq/parley/runtime/provider"
)

// sentiment finds every caller neutral, at once.
type sentiment struct{}

var _ provider.Sentiment = sentiment{}

func (sentiment) Analyze(context.Context, provider.SentimentRequest) (provider.SentimentResult, error) {
	return provider.SentimentResult{Label: provider.Neutral, Score: 0.5}, nil
}
