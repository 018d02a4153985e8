package oai_test

import (
	"context"
	"errors"
	"fmt"
	"net/url"
	"syscall"
	"testing"
	"time"

	openai "github.com/sashabaranov/go-openai"
	"github.com/stretchr/testify/assert"

	"github.com/parleyhq/parley/plugins/internal/oai"
	"github.com/parleyhq/parley/runtime/provider"
)

func TestMapError(t *testing.T) {
	const key = "sk-proj-AbCdEf0123456789xyz"
	cfg := oai.Config{BaseURL: "https://api.openai.com/v1", APIKey: key, Timeout: 30 * time.Second}
	apiErr := func(status int, msg string) error {
		return &openai.APIError{HTTPStatusCode: status, HTTPStatus: fmt.Sprint(status), Message: msg}
	}
	tests := []struct {
		name     string
		err      error
		want     error
		contains string
	}{
		{"401 quoting the key", apiErr(401, "Incorrect API key provided: "+key+"."), provider.ErrUnauthorized, "invalid API key for api.openai.com (Incorrect API key provided: [redacted].)"},
		{"401 quoting a masked key", apiErr(401, "Incorrect API key provided: sk-proj-********xyz."), provider.ErrUnauthorized, "sk-[redacted]"},
		{"403", apiErr(403, "Country not supported"), provider.ErrUnauthorized, "invalid API key"},
		{"404", apiErr(404, "The model `gpt-9` does not exist"), provider.ErrInvalidOptions, `model "gpt-4o" not found`},
		{"429", apiErr(429, "Rate limit reached"), provider.ErrRateLimited, "throttling"},
		{"400", apiErr(400, "Invalid 'messages'"), provider.ErrInvalidInput, "Invalid 'messages'"},
		{"422", &openai.RequestError{HTTPStatusCode: 422, Body: []byte("unprocessable")}, provider.ErrInvalidInput, "unprocessable"},
		{"408", apiErr(408, ""), provider.ErrTimeout, "408"},
		{"502 with an HTML body", &openai.RequestError{HTTPStatusCode: 502, Body: []byte("<html>\n  bad gateway\n</html>")}, provider.ErrUnavailable, "answered 502 (<html> bad gateway </html>)"},
		{"error event in a stream", fmt.Errorf("error, %w", apiErr(0, "server overloaded")), provider.ErrUnavailable, "server overloaded"},
		{"connection refused", &url.Error{Op: "Post", URL: "https://api.openai.com/v1/chat/completions", Err: syscall.ECONNREFUSED}, provider.ErrUnavailable, "cannot reach api.openai.com"},
		{"reasoning model refuses max_tokens", openai.ErrReasoningModelMaxTokensDeprecated, provider.ErrInvalidOptions, `model "gpt-4o"`},
		{"garbage", errors.New("invalid character '<' looking for beginning of value"), provider.ErrUnavailable, "unexpected answer"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := oai.MapError(context.Background(), tt.err, cfg, "gpt-4o")
			assert.ErrorIs(t, got, tt.want)
			assert.Contains(t, got.Error(), tt.contains)
			assert.NotContains(t, got.Error(), key)
		})
	}
	assert.NoError(t, oai.MapError(context.Background(), nil, cfg, "m"))

	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	assert.Equal(t, context.Canceled, oai.MapError(ctx, apiErr(500, "x"), cfg, "m"), "a cancelled caller gets its context's error")
}

func TestRedact(t *testing.T) {
	assert.Equal(t, "key [redacted] and sk-[redacted] end", oai.Redact("key my-secret-key and sk-abc***wxyz end", "my-secret-key"))
	assert.Equal(t, "nothing to hide", oai.Redact("nothing to hide", ""))
}
