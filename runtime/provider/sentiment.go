package provider

import "context"

// Sentiment labels.
const (
	Positive = "positive"
	Neutral  = "neutral"
	Negative = "negative"
)

// SentimentRequest is a text to score.
type SentimentRequest struct {
	Text     string
	Language string
	Options  Options
}

// SentimentResult is the mood of a text. Score runs from 0 (most negative)
// through 0.5 (neutral) to 1 (most positive); Label agrees with it.
type SentimentResult struct {
	Label string
	Score float64
}

// Sentiment scores the mood of a caller's words.
type Sentiment interface {
	Analyze(ctx context.Context, req SentimentRequest) (SentimentResult, error)
}
