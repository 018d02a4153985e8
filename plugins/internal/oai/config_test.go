package oai_test

import (
	"testing"
	"time"

	"github.com/stretchr/testify/assert"

	"github.com/parleyhq/parley/plugins/internal/oai"
	"github.com/parleyhq/parley/runtime/provider"
)

func TestReadConfig(t *testing.T) {
	env := map[string]string{"OPENAI_API_KEY": "sk-default", "OTHER_KEY": "sk-other"}
	tests := []struct {
		name     string
		env      map[string]string
		opts     provider.Options
		want     oai.Config
		problems []provider.OptionProblem
	}{
		{
			name: "defaults",
			env:  env,
			want: oai.Config{BaseURL: "https://api.openai.com/v1", APIKey: "sk-default", Timeout: 30 * time.Second, MaxRetries: 3},
		},
		{
			name:     "no key for OpenAI",
			want:     oai.Config{BaseURL: "https://api.openai.com/v1", Timeout: 30 * time.Second, MaxRetries: 3},
			problems: []provider.OptionProblem{{Option: "api_key_env", Message: "OPENAI_API_KEY is not set"}},
		},
		{
			name: "compatible server gets no key by default",
			env:  env,
			opts: provider.Options{"base_url": "http://localhost:11434/v1/", "timeout": "2m", "max_retries": 0},
			want: oai.Config{BaseURL: "http://localhost:11434/v1", Timeout: 2 * time.Minute, MaxRetries: 0},
		},
		{
			name: "compatible server with a named key",
			env:  env,
			opts: provider.Options{"base_url": "https://vllm.internal/v1", "api_key_env": "OTHER_KEY"},
			want: oai.Config{BaseURL: "https://vllm.internal/v1", APIKey: "sk-other", Timeout: 30 * time.Second, MaxRetries: 3},
		},
		{
			name:     "named key missing",
			opts:     provider.Options{"api_key_env": "MISSING"},
			want:     oai.Config{BaseURL: "https://api.openai.com/v1", Timeout: 30 * time.Second, MaxRetries: 3},
			problems: []provider.OptionProblem{{Option: "api_key_env", Message: "MISSING is not set"}},
		},
		{
			name: "OPENAI_BASE_URL is the default base_url, with the key when set",
			env:  map[string]string{"OPENAI_BASE_URL": " http://localhost:11434/v1/ ", "OPENAI_API_KEY": "sk-default"},
			want: oai.Config{BaseURL: "http://localhost:11434/v1", APIKey: "sk-default", Timeout: 30 * time.Second, MaxRetries: 3},
		},
		{
			name: "OPENAI_BASE_URL needs no key",
			env:  map[string]string{"OPENAI_BASE_URL": "http://localhost:11434/v1"},
			want: oai.Config{BaseURL: "http://localhost:11434/v1", Timeout: 30 * time.Second, MaxRetries: 3},
		},
		{
			name:     "OPENAI_BASE_URL at OpenAI needs the key",
			env:      map[string]string{"OPENAI_BASE_URL": "https://api.openai.com/v1"},
			want:     oai.Config{BaseURL: "https://api.openai.com/v1", Timeout: 30 * time.Second, MaxRetries: 3},
			problems: []provider.OptionProblem{{Option: "api_key_env", Message: "OPENAI_API_KEY is not set"}},
		},
		{
			name: "base_url wins over OPENAI_BASE_URL and gets no key",
			env:  map[string]string{"OPENAI_BASE_URL": "http://localhost:11434/v1", "OPENAI_API_KEY": "sk-default"},
			opts: provider.Options{"base_url": "http://127.0.0.1:8080/v1"},
			want: oai.Config{BaseURL: "http://127.0.0.1:8080/v1", Timeout: 30 * time.Second, MaxRetries: 3},
		},
		{
			name:     "bad OPENAI_BASE_URL",
			env:      map[string]string{"OPENAI_BASE_URL": "localhost:11434", "OPENAI_API_KEY": "sk-default"},
			want:     oai.Config{BaseURL: "https://api.openai.com/v1", APIKey: "sk-default", Timeout: 30 * time.Second, MaxRetries: 3},
			problems: []provider.OptionProblem{{Option: "base_url", Message: `defaults to OPENAI_BASE_URL, which must be an http:// or https:// URL such as https://api.openai.com/v1, not "localhost:11434"`}},
		},
		{
			name: "everything wrong",
			env:  env,
			opts: provider.Options{"base_url": "localhost:11434", "api_key_env": "", "timeout": "0s", "max_retries": -1},
			want: oai.Config{BaseURL: "https://api.openai.com/v1", Timeout: 30 * time.Second, MaxRetries: 3},
			problems: []provider.OptionProblem{
				{Option: "timeout", Message: "must be between 100ms and 10m0s, not 0s"},
				{Option: "max_retries", Message: "must be between 0 and 10, not -1"},
				{Option: "base_url", Message: "must be an http:// or https:// URL such as https://api.openai.com/v1"},
				{Option: "api_key_env", Message: "must name an environment variable"},
			},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := oai.NewOptionReader(tt.opts)
			got := oai.ReadConfig(r, func(k string) string { return tt.env[k] })
			assert.Equal(t, tt.want, got)
			assert.Equal(t, tt.problems, r.Problems())
			assert.NotContains(t, got.String(), "sk-")
		})
	}
}

func TestIsOpenAIURL(t *testing.T) {
	assert.True(t, oai.IsOpenAIURL("https://api.openai.com/v1"))
	assert.True(t, oai.IsOpenAIURL("https://API.openai.com:443/v1/"))
	assert.False(t, oai.IsOpenAIURL("http://localhost:11434/v1"))
	assert.False(t, oai.IsOpenAIURL("https://api.openai.com.evil.example/v1"))
}
