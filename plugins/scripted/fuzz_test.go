package main

import (
	"testing"

	"github.com/parleyhq/parley/plugins/internal/optfuzz"
	"github.com/parleyhq/parley/runtime/provider"
)

// FuzzOptions checks the script parser with any JSON object (see
// optfuzz.Run): the script is the agent's whole dialog, the largest option
// value any plugin takes.
func FuzzOptions(f *testing.F) {
	seeds := append(optfuzz.AgentOptions(f, "scripted"),
		provider.Options{"fallback": "Sorry?", "fuzzy": 0.8, "hangup": map[string]any{"keywords": []any{"bye"}, "reply": "Bye."}},
		provider.Options{"intents": []any{map[string]any{"name": "a", "keywords": []any{"주문", "배송"}, "reply": "네."}}, "fallback": "다시 말씀해 주세요."},
		toolOptions(),
	)
	parse := func(o provider.Options) (*script, []provider.OptionProblem) { return parseScript(o) }
	optfuzz.Run(f, rootKeys, optfuzz.Problems(parse), seeds...)
}
