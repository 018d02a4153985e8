package main

import (
	"testing"

	"github.com/parleyhq/parley/plugins/internal/optfuzz"
	"github.com/parleyhq/parley/runtime/provider"
)

// FuzzOptions checks the option parser with any JSON object (see optfuzz.Run).
func FuzzOptions(f *testing.F) {
	seeds := append(optfuzz.AgentOptions(f, "espeak"),
		provider.Options{"engine": "flite", "rate": 200, "pitch": 40},
		provider.Options{"engine": "espeak", "rate": 80, "pitch": 0},
	)
	optfuzz.Run(f, knownOptions, optfuzz.Problems(parseOptions), seeds...)
}
