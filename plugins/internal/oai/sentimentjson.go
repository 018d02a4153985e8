package oai

import (
	"encoding/json"
	"fmt"
	"strings"

	"github.com/parleyhq/parley/runtime/provider"
)

// sentimentAnswer is the JSON the model is asked for.
type sentimentAnswer struct {
	Sentiment string   `json:"sentiment"`
	Score     *float64 `json:"score"`
}

// ParseSentiment reads a model's answer: a JSON object with sentiment
// (positive, neutral or negative, any case) and a numeric score. A fenced
// code block or text around the object is tolerated (compatible servers
// may ignore response_format). The score is clamped to [0, 1] and then to
// its label's half (positive >= 0.5, negative <= 0.5) so that label and
// score agree. Anything else is an error wrapping provider.ErrUnavailable.
func ParseSentiment(content string) (provider.SentimentResult, error) {
	start, end := strings.Index(content, "{"), strings.LastIndex(content, "}")
	if start < 0 || end < start {
		return provider.SentimentResult{}, invalidJSON(content)
	}
	var a sentimentAnswer
	if err := json.Unmarshal([]byte(content[start:end+1]), &a); err != nil || a.Score == nil {
		return provider.SentimentResult{}, invalidJSON(content)
	}
	label := strings.ToLower(strings.TrimSpace(a.Sentiment))
	score := min(max(*a.Score, 0), 1)
	switch label {
	case provider.Positive:
		score = max(score, 0.5)
	case provider.Negative:
		score = min(score, 0.5)
	case provider.Neutral:
	default:
		return provider.SentimentResult{}, invalidJSON(content)
	}
	return provider.SentimentResult{Label: label, Score: score}, nil
}

func invalidJSON(content string) error {
	return fmt.Errorf("%w: model returned invalid JSON: %q", provider.ErrUnavailable, shorten(content))
}
