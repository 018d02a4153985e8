// Package english scores the mood of English text with VADER
// (github.com/jonreiter/govader), adjusted for what callers say to a
// customer-service line: request phrasing such as "I would like to" or
// "can you please help me" carries no mood, so it is neutralised before
// VADER sees it (see neutral.go).
package english

import (
	"sync"

	"github.com/jonreiter/govader"
)

// analyzer loads VADER's lexicon once; PolarityScores only reads it, so one
// analyzer serves concurrent calls.
var analyzer = sync.OnceValue(govader.NewSentimentIntensityAnalyzer)

// Compound returns the valence of text in [-1, 1]: -1 most negative, 0
// neutral, 1 most positive (VADER's compound score).
func Compound(text string) float64 {
	return analyzer().PolarityScores(neutralise(text)).Compound
}
