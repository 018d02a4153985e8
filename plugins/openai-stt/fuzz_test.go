package main

import (
	"testing"

	"github.com/hashicorp/go-hclog"

	"github.com/parleyhq/parley/plugins/internal/optfuzz"
	"github.com/parleyhq/parley/runtime/provider"
)

// FuzzOptions checks the option parser with any JSON object (see optfuzz.Run).
func FuzzOptions(f *testing.F) {
	p := newSTT(hclog.NewNullLogger())
	p.backend.Getenv = func(k string) string {
		if k == "OPENAI_API_KEY" {
			return "sk-fuzz"
		}
		return ""
	}
	seeds := append(optfuzz.AgentOptions(f, "openai-stt"),
		provider.Options{"base_url": "http://localhost:8000/v1", "model": "whisper-1", "language": "auto", "prompt": "order"},
		provider.Options{"api_key_env": "MY_KEY", "timeout": "2m", "max_retries": 0})
	optfuzz.Run(f, knownKeys(), optfuzz.Validator(p, provider.KindSTT, "ko", ""), seeds...)
}
