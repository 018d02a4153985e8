package main

import (
	"testing"

	"github.com/parleyhq/parley/plugins/internal/oai"
	"github.com/parleyhq/parley/plugins/internal/optfuzz"
	"github.com/parleyhq/parley/runtime/provider"
)

// FuzzOptions checks the option parser of every mode with any JSON object
// (see optfuzz.Run).
func FuzzOptions(f *testing.F) {
	seeds := append(optfuzz.AgentOptions(f, "sentiment"),
		provider.Options{"mode": "lexicon"},
		provider.Options{"mode": "llm", "base_url": "http://localhost:11434/v1", "model": "llama3"},
	)
	known := append(oai.SentimentKeys(), "mode")
	optfuzz.Run(f, known, optfuzz.Validator(newAnalyzer(), provider.KindSentiment, "en", ""), seeds...)
}
