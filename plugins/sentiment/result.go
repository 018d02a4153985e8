package main

import "github.com/parleyhq/parley/runtime/provider"

// neutralBand is how far from 0.5 a score may lie and still be neutral: a
// score in [0.5-neutralBand, 0.5+neutralBand] is neutral, above it positive,
// below it negative. On the compound valence in [-1, 1] that is ±0.1,
// slightly wider than VADER's own ±0.05 so that one mild word ("okay",
// a refund asked about) does not colour a plain request.
const neutralBand = 0.05

// resultOf maps a compound valence in [-1, 1] to the contract's score in
// [0, 1] (0 most negative, 0.5 neutral, 1 most positive) and its label.
func resultOf(compound float64) provider.SentimentResult {
	score := max(0, min(1, (compound+1)/2))
	return provider.SentimentResult{Label: labelOf(score), Score: score}
}

// labelOf is the label of a score; see neutralBand.
func labelOf(score float64) string {
	switch {
	case score > 0.5+neutralBand:
		return provider.Positive
	case score < 0.5-neutralBand:
		return provider.Negative
	default:
		return provider.Neutral
	}
}
