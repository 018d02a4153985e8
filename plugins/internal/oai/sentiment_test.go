package oai_test

import (
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/parleyhq/parley/internal/oaifake"
	"github.com/parleyhq/parley/plugins/internal/oai"
	"github.com/parleyhq/parley/runtime/provider"
)

func TestParseSentiment(t *testing.T) {
	tests := []struct {
		name    string
		content string
		want    provider.SentimentResult
		invalid bool
	}{
		{"positive", `{"sentiment":"positive","score":0.92}`, provider.SentimentResult{Label: "positive", Score: 0.92}, false},
		{"neutral", `{"sentiment": "neutral", "score": 0.5}`, provider.SentimentResult{Label: "neutral", Score: 0.5}, false},
		{"label case and spaces", `{"sentiment":" Negative ","score":0.1}`, provider.SentimentResult{Label: "negative", Score: 0.1}, false},
		{"score clamped high", `{"sentiment":"positive","score":7}`, provider.SentimentResult{Label: "positive", Score: 1}, false},
		{"score clamped low", `{"sentiment":"negative","score":-0.4}`, provider.SentimentResult{Label: "negative", Score: 0}, false},
		{"score pulled to its label", `{"sentiment":"positive","score":0.2}`, provider.SentimentResult{Label: "positive", Score: 0.5}, false},
		{"code fence", "```json\n{\"sentiment\":\"negative\",\"score\":0.2}\n```", provider.SentimentResult{Label: "negative", Score: 0.2}, false},
		{"not JSON", "The caller seems happy.", provider.SentimentResult{}, true},
		{"broken JSON", `{"sentiment":"positive",`, provider.SentimentResult{}, true},
		{"unknown label", `{"sentiment":"ecstatic","score":1}`, provider.SentimentResult{}, true},
		{"no score", `{"sentiment":"positive"}`, provider.SentimentResult{}, true},
		{"score as text", `{"sentiment":"positive","score":"high"}`, provider.SentimentResult{}, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := oai.ParseSentiment(tt.content)
			if tt.invalid {
				assert.ErrorIs(t, err, provider.ErrUnavailable)
				assert.ErrorContains(t, err, "model returned invalid JSON")
				return
			}
			require.NoError(t, err)
			assert.Equal(t, tt.want, got)
		})
	}
}

func newBackend(t *testing.T, env oaifake.Env) (*oai.Backend, *oaifake.Logs) {
	log, logs := oaifake.NewLogger("oai")
	b := oai.NewBackend(log)
	b.Getenv = env.Getenv
	b.Backoff = 10 * time.Millisecond
	t.Cleanup(b.CloseIdleConnections)
	return b, logs
}

func TestSentimentAsksForJSONAndParsesIt(t *testing.T) {
	srv := oaifake.New(t)
	b, logs := newBackend(t, oaifake.Env{"K": "sk-sentiment-secret-123456"})
	srv.Enqueue(oaifake.ChatPath, oaifake.ChatJSON(`{"sentiment":"negative","score":0.15}`))
	opts := provider.Options{"base_url": srv.URL, "api_key_env": "K", "mode": "llm"}

	got, err := b.Sentiment(t.Context(), opts, "  배송이 너무 늦어서 화가 나요.  ", "ko")
	require.NoError(t, err)
	assert.Equal(t, provider.SentimentResult{Label: "negative", Score: 0.15}, got)

	reqs := srv.Requests(oaifake.ChatPath)
	require.Len(t, reqs, 1)
	chat := reqs[0].Chat()
	assert.Equal(t, "gpt-4o", chat.Model)
	assert.False(t, chat.Stream)
	assert.Equal(t, map[string]any{"type": "json_object"}, chat.ResponseFormat)
	require.NotNil(t, chat.Temperature)
	assert.InDelta(t, 0, *chat.Temperature, 1e-9)
	require.Len(t, chat.Messages, 2)
	assert.Equal(t, "system", chat.Messages[0].Role)
	assert.Contains(t, chat.Messages[0].Content, "JSON")
	assert.Contains(t, chat.Messages[0].Content, "Korean")
	assert.Equal(t, oaifake.ChatMessage{Role: "user", Content: "배송이 너무 늦어서 화가 나요."}, chat.Messages[1])
	assert.Equal(t, "Bearer sk-sentiment-secret-123456", reqs[0].Authorization())
	assert.NotContains(t, logs.String(), "sk-sentiment-secret")
}

// TestSentimentPromptNamesTheLanguage: the prompt names the agent's
// language by its base (ko-KR is Korean) or by its tag.
func TestSentimentPromptNamesTheLanguage(t *testing.T) {
	for lang, want := range map[string]string{"ko-KR": "in Korean;", "en-GB": "in English;", "pt-BR": `BCP-47 tag "pt-BR"`, "auto": "in the caller's language;"} {
		srv := oaifake.New(t)
		b, _ := newBackend(t, oaifake.Env{"K": "sk-sentiment-secret-123456"})
		srv.Enqueue(oaifake.ChatPath, oaifake.ChatJSON(`{"sentiment":"neutral","score":0.5}`))
		_, err := b.Sentiment(t.Context(), provider.Options{"base_url": srv.URL, "api_key_env": "K"}, "text", lang)
		require.NoError(t, err)
		reqs := srv.Requests(oaifake.ChatPath)
		require.Len(t, reqs, 1)
		assert.Contains(t, reqs[0].Chat().Messages[0].Content, want, lang)
	}
}

func TestSentimentErrors(t *testing.T) {
	tests := []struct {
		name   string
		script oaifake.Handler
		text   string
		opts   provider.Options
		want   error
		msg    string
	}{
		{name: "invalid JSON", script: oaifake.ChatJSON("I think the caller is happy"), text: "good", want: provider.ErrUnavailable, msg: "model returned invalid JSON"},
		{name: "empty text", text: "  ", want: provider.ErrInvalidInput, msg: "empty text"},
		{name: "bad option", text: "good", opts: provider.Options{"model": 3}, want: provider.ErrInvalidOptions, msg: "options.model"},
		{name: "401", script: oaifake.Unauthorized("Incorrect API key provided: sk-sentiment-secret-123456"), text: "good", want: provider.ErrUnauthorized, msg: "invalid API key"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			srv := oaifake.New(t)
			b, logs := newBackend(t, oaifake.Env{"K": "sk-sentiment-secret-123456"})
			if tt.script != nil {
				srv.Enqueue(oaifake.ChatPath, tt.script)
			}
			opts := provider.Options{"base_url": srv.URL, "api_key_env": "K"}
			for k, v := range tt.opts {
				opts[k] = v
			}
			_, err := b.Sentiment(t.Context(), opts, tt.text, "en")
			require.ErrorIs(t, err, tt.want)
			assert.Contains(t, err.Error(), tt.msg)
			assert.NotContains(t, err.Error(), "sk-sentiment-secret")
			assert.NotContains(t, logs.String(), "sk-sentiment-secret")
		})
	}
}

func TestSentimentPackageFunctions(t *testing.T) {
	srv := oaifake.New(t)
	srv.Enqueue(oaifake.ChatPath, oaifake.ChatJSON(`{"sentiment":"positive","score":0.8}`))
	t.Setenv("OPENAI_MODEL", "llama3.2")
	got, err := oai.Sentiment(t.Context(), provider.Options{"base_url": srv.URL, "mode": "llm"}, "Thank you so much!", "en")
	require.NoError(t, err)
	assert.Equal(t, provider.SentimentResult{Label: "positive", Score: 0.8}, got)
	req := srv.Requests(oaifake.ChatPath)[0]
	assert.Equal(t, "llama3.2", req.Chat().Model)
	assert.Empty(t, req.Authorization(), "no key goes to a compatible server")

	problems := oai.ValidateSentimentOptions(provider.Options{"base_url": "http://localhost:11434/v1", "mode": "llm", "model": "qwen2.5", "colour": 1}, "mode")
	assert.Equal(t, []provider.OptionProblem{{Option: "colour", Message: "unknown option (known: api_key_env, base_url, max_retries, mode, model, timeout)"}}, problems)
}
