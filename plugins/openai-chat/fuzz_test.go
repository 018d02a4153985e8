package main

import (
	"testing"

	"github.com/hashicorp/go-hclog"

	"github.com/parleyhq/parley/plugins/internal/optfuzz"
	"github.com/parleyhq/parley/runtime/provider"
)

// FuzzOptions checks the option parser with any JSON object (see optfuzz.Run).
func FuzzOptions(f *testing.F) {
	p := newChat(hclog.NewNullLogger())
	p.backend.Getenv = func(k string) string {
		if k == "OPENAI_API_KEY" {
			return "sk-fuzz"
		}
		return ""
	}
	seeds := append(optfuzz.AgentOptions(f, "openai-chat"),
		provider.Options{"base_url": "http://localhost:11434/v1", "model": "llama3", "temperature": 0.2, "max_tokens": 200, "end_call_tool": false},
		provider.Options{"api_key_env": "MY_KEY", "timeout": "2m", "max_retries": 0})
	optfuzz.Run(f, knownKeys(), optfuzz.Validator(p, provider.KindChat, "en", ""), seeds...)
}
