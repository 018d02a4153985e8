package main

import (
	"testing"

	"github.com/parleyhq/parley/plugins/internal/optfuzz"
	"github.com/parleyhq/parley/runtime/provider"
)

// FuzzOptions checks the option parser with any JSON object (see optfuzz.Run).
func FuzzOptions(f *testing.F) {
	seeds := append(optfuzz.AgentOptions(f, "pocketsphinx"),
		provider.Options{"keywords": []any{"refund", "speak to a person"}, "keyword_threshold": 1e-30},
		provider.Options{"keywords": "refund"},
		provider.Options{"grammar": "#JSGF V1.0; grammar g; public <a> = yes | no;"},
	)
	optfuzz.Run(f, knownOptions, optfuzz.Problems(parseOptions), seeds...)
}
