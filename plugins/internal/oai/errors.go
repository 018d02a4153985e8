package oai

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"regexp"
	"strings"

	openai "github.com/sashabaranov/go-openai"

	"github.com/parleyhq/parley/runtime/provider"
)

// clientSideErrors are go-openai's refusals to send a request a model
// cannot take (max_tokens or temperature on a reasoning model ...): the
// agent's options are wrong for the model.
var clientSideErrors = []error{
	openai.ErrChatCompletionInvalidModel,
	openai.ErrChatCompletionStreamNotSupported,
	openai.ErrReasoningModelMaxTokensDeprecated,
	openai.ErrReasoningModelLimitationsLogprobs,
	openai.ErrReasoningModelLimitationsOther,
	openai.ErrReasoningEffortUnsupported,
	openai.ErrReasoningToolsRequireResponses,
	openai.ErrReasoningSamplingUnsupported,
}

// MapError turns an error of a go-openai call into one that wraps the
// provider sentinel it stands for, with a message naming the cause:
//
//	401, 403                -> provider.ErrUnauthorized ("invalid API key")
//	404                     -> provider.ErrInvalidOptions (the model is not there)
//	429 (after retries)     -> provider.ErrRateLimited
//	408, timeouts           -> provider.ErrTimeout
//	other 4xx               -> provider.ErrInvalidInput, with the server's message
//	5xx, connection errors  -> provider.ErrUnavailable
//
// When ctx is done, its error is returned instead. The server's message is
// included with the API key (and anything shaped like an OpenAI key)
// redacted.
func MapError(ctx context.Context, err error, cfg Config, model string) error {
	if err == nil {
		return nil
	}
	if ctxErr := ctx.Err(); ctxErr != nil {
		return ctxErr
	}
	host := hostOf(cfg.BaseURL)
	var te *timeoutError
	if errors.As(err, &te) {
		return fmt.Errorf("%w: %s from %s for %s (option timeout)", provider.ErrTimeout, te.what, host, te.after)
	}
	if isTimeout(err) {
		return fmt.Errorf("%w: %s did not answer in time", provider.ErrTimeout, host)
	}
	if status, msg, ok := apiError(err); ok {
		return statusError(status, Redact(msg, cfg.APIKey), host, model)
	}
	for _, e := range clientSideErrors {
		if errors.Is(err, e) {
			return fmt.Errorf("%w: model %q: %w", provider.ErrInvalidOptions, model, e)
		}
	}
	var urlErr *url.Error
	if errors.As(err, &urlErr) {
		return fmt.Errorf("%w: cannot reach %s: %s", provider.ErrUnavailable, host, Redact(urlErr.Err.Error(), cfg.APIKey))
	}
	return fmt.Errorf("%w: unexpected answer from %s: %s", provider.ErrUnavailable, host, Redact(err.Error(), cfg.APIKey))
}

// apiError extracts the HTTP status and the server's message from
// go-openai's error types. A status of 0 is an error event inside a stream.
func apiError(err error) (status int, msg string, ok bool) {
	var reqErr *openai.RequestError
	if errors.As(err, &reqErr) {
		var inner *openai.APIError
		if errors.As(reqErr.Err, &inner) {
			return reqErr.HTTPStatusCode, inner.Message, true
		}
		return reqErr.HTTPStatusCode, shorten(string(reqErr.Body)), true
	}
	var apiErr *openai.APIError
	if errors.As(err, &apiErr) {
		return apiErr.HTTPStatusCode, apiErr.Message, true
	}
	return 0, "", false
}

func statusError(status int, msg, host, model string) error {
	detail := ""
	if msg != "" {
		detail = " (" + msg + ")"
	}
	switch {
	case status == http.StatusUnauthorized || status == http.StatusForbidden:
		return fmt.Errorf("%w: invalid API key for %s%s", provider.ErrUnauthorized, host, detail)
	case status == http.StatusNotFound:
		return fmt.Errorf("%w: model %q not found at %s (or base_url is not an OpenAI-compatible API)%s", provider.ErrInvalidOptions, model, host, detail)
	case status == http.StatusTooManyRequests:
		return fmt.Errorf("%w: %s is throttling requests%s", provider.ErrRateLimited, host, detail)
	case status == http.StatusRequestTimeout:
		return fmt.Errorf("%w: %s answered 408%s", provider.ErrTimeout, host, detail)
	case status >= 400 && status < 500:
		if msg == "" {
			msg = http.StatusText(status)
		}
		return fmt.Errorf("%w: %s", provider.ErrInvalidInput, msg)
	case status == 0:
		return fmt.Errorf("%w: %s reported an error in the stream%s", provider.ErrUnavailable, host, detail)
	default:
		return fmt.Errorf("%w: %s answered %d%s", provider.ErrUnavailable, host, status, detail)
	}
}

// keyLike matches OpenAI-style keys, whole or masked (sk-proj-abc***wxyz),
// as OpenAI's own messages quote them.
var keyLike = regexp.MustCompile(`\bsk-[A-Za-z0-9_\-*.]{3,}`)

// Redact removes the API key, and anything shaped like an OpenAI key, from
// a message.
func Redact(msg, key string) string {
	if key != "" {
		msg = strings.ReplaceAll(msg, key, "[redacted]")
	}
	return keyLike.ReplaceAllString(msg, "sk-[redacted]")
}

// hostOf names the server in messages.
func hostOf(baseURL string) string {
	if u, err := url.Parse(baseURL); err == nil && u.Host != "" {
		return u.Host
	}
	return baseURL
}

// shorten keeps a raw error body readable in a message.
func shorten(s string) string {
	s = strings.Join(strings.Fields(s), " ")
	if r := []rune(s); len(r) > 200 {
		return string(r[:200]) + "..."
	}
	return s
}
