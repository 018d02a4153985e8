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
		want map[string]string // option -> part of its message
	}{
		{name: "OpenAI with key", env: oaifake.Env{"OPENAI_API_KEY": "k"}, opts: provider.Options{"model": "gpt-4o", "temperature": 0.7}},
		{name: "compatible server needs no key", opts: provider.Options{"base_url": "http://localhost:11434/v1", "model": "llama3.2", "max_tokens": 200}},
		{name: "no key", opts: nil, want: map[string]string{"api_key_env": "OPENAI_API_KEY is not set"}},
		{
			name: "named key missing",
			opts: provider.Options{"base_url": "http://localhost:8000/v1", "api_key_env": "VLLM_KEY"},
			want: map[string]string{"api_key_env": "VLLM_KEY is not set"},
		},
		{
			name: "everything wrong at once",
			env:  oaifake.Env{"OPENAI_API_KEY": "k"},
			opts: provider.Options{
				"model": 4, "temperature": 2.5, "max_tokens": 0, "timeout": "soon", "max_retries": 1.5,
				"base_url": "ftp://example.com", "end_call_tool": "yes", "colour": "red", "api_key_env": 7,
			},
			want: map[string]string{
				"model": "must be a string", "temperature": "between 0 and 2", "max_tokens": "between 1 and",
				"timeout": "duration", "max_retries": "whole number", "base_url": "http", "end_call_tool": "true or false",
				"colour": "unknown option", "api_key_env": "must be a string",
			},
		},
		{
			name: "reasoning model with temperature",
			env:  oaifake.Env{"OPENAI_API_KEY": "k"},
			opts: provider.Options{"model": "o3-mini", "temperature": 0.2},
			want: map[string]string{"temperature": "default temperature"},
		},
		{name: "wrong types of numbers", env: oaifake.Env{"OPENAI_API_KEY": "k"}, opts: provider.Options{"temperature": "0.5", "max_tokens": "100", "timeout": 30},
			want: map[string]string{"temperature": "must be a number", "max_tokens": "whole number", "timeout": "duration"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := newFixture(t, tt.env)
			problems, err := f.client.Validator.ValidateOptions(t.Context(), provider.ValidateRequest{Kind: provider.KindChat, Options: tt.opts, Language: "en"})
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
