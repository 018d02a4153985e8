package main

import (
	"testing"

	"github.com/hashicorp/go-hclog"

	"github.com/parleyhq/parley/plugins/internal/optfuzz"
	"github.com/parleyhq/parley/runtime/provider"
)

// FuzzOptions checks the option parser with any JSON object (see optfuzz.Run).
func FuzzOptions(f *testing.F) {
	p := newTTS(hclog.NewNullLogger())
	p.backend.Getenv = func(k string) string {
		if k == "OPENAI_API_KEY" {
			return "sk-fuzz"
		}
		return ""
	}
	seeds := append(optfuzz.AgentOptions(f, "openai-tts"),
		provider.Options{"base_url": "http://localhost:8880/v1", "model": "kokoro", "voice": "af_sky", "speed": 1.25, "sample_rate": 24000},
		provider.Options{"api_key_env": "MY_KEY", "timeout": "2m", "max_retries": 0})
	optfuzz.Run(f, knownKeys(), optfuzz.Validator(p, provider.KindTTS, "en", "alloy"), seeds...)
}
