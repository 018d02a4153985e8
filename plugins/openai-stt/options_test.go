package main

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/parleyhq/parley/internal/oaifake"
	"github.com/parleyhq/parley/runtime/provider"
)

func TestValidateOptions(t *testing.T) {
	tests := []struct {
		name string
		env  oaifake.Env
		opts provider.Options
		want map[string]string
	}{
		{name: "defaults with key", env: oaifake.Env{"OPENAI_API_KEY": "k"}},
		{name: "compatible server", opts: provider.Options{"base_url": "http://127.0.0.1:8080/v1", "model": "whisper-large-v3", "language": "auto"}},
		{name: "no key", want: map[string]string{"api_key_env": "OPENAI_API_KEY is not set"}},
		{
			name: "everything wrong at once",
			env:  oaifake.Env{"OPENAI_API_KEY": "k"},
			opts: provider.Options{"model": "", "language": "french", "prompt": 3, "timeout": "-1s", "max_retries": 11, "speed": 1.0},
			want: map[string]string{
				"model": "must not be empty", "language": "BCP-47", "prompt": "must be a string",
				"timeout": "between", "max_retries": "between 0 and 10", "speed": "unknown option",
			},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := newFixture(t, tt.env)
			problems, err := f.client.Validator.ValidateOptions(t.Context(), provider.ValidateRequest{Kind: provider.KindSTT, Options: tt.opts, Language: "ko"})
			require.NoError(t, err)
			got := map[string]string{}
			for _, p := range problems {
				got[p.Option] = p.Message
			}
			require.Len(t, got, len(tt.want), "problems: %v", problems)
			for opt, msg := range tt.want {
				assert.Contains(t, got[opt], msg, "option %s", opt)
			}
		})
	}
}
