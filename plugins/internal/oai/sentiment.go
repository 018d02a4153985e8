package oai

import (
	"context"
	"fmt"
	"strconv"
	"strings"
	"sync"

	openai "github.com/sashabaranov/go-openai"

	"github.com/parleyhq/parley/runtime/provider"
)

// SentimentKeys lists the options of the llm sentiment mode: the common
// ones and model (default $OPENAI_MODEL, else gpt-4o).
func SentimentKeys() []string { return append(CommonKeys(), OptModel) }

// sentimentMaxTokens bounds the answer, which is one small JSON object.
const sentimentMaxTokens = 50

var defaultBackend = sync.OnceValue(func() *Backend { return NewBackend(provider.Logger("oai")) })

// Sentiment scores text with a chat model asked for strict JSON
// ({"sentiment": "positive"|"neutral"|"negative", "score": 0..1}); it is the
// llm mode of the sentiment plugin. It reads the key from the process
// environment. Options it does not know are ignored here (the caller's
// ValidateSentimentOptions reports them). Empty text is
// provider.ErrInvalidInput; an answer that is not such JSON is
// provider.ErrUnavailable ("model returned invalid JSON").
func Sentiment(ctx context.Context, opts provider.Options, text, language string) (provider.SentimentResult, error) {
	return defaultBackend().Sentiment(ctx, opts, text, language)
}

// ValidateSentimentOptions checks the options of the llm sentiment mode and
// returns every problem; extraKeys are the calling plugin's own options
// (such as mode), which are not reported as unknown.
func ValidateSentimentOptions(opts provider.Options, extraKeys ...string) []provider.OptionProblem {
	return defaultBackend().ValidateSentimentOptions(opts, extraKeys...)
}

// ValidateSentimentOptions is the package function with b's environment.
func (b *Backend) ValidateSentimentOptions(opts provider.Options, extraKeys ...string) []provider.OptionProblem {
	r := NewOptionReader(opts)
	b.ReadConfig(r)
	b.ChatModel(r)
	r.RejectUnknown(append(SentimentKeys(), extraKeys...)...)
	return r.Problems()
}

// Sentiment is the package function with b's environment and transport.
func (b *Backend) Sentiment(ctx context.Context, opts provider.Options, text, language string) (provider.SentimentResult, error) {
	r := NewOptionReader(opts)
	cfg := b.ReadConfig(r)
	model := b.ChatModel(r)
	if err := r.Err(); err != nil {
		return provider.SentimentResult{}, fmt.Errorf("sentiment: %w", err)
	}
	text = strings.TrimSpace(text)
	if text == "" {
		return provider.SentimentResult{}, fmt.Errorf("sentiment: %w: empty text", provider.ErrInvalidInput)
	}
	req := openai.ChatCompletionRequest{
		Model: model,
		Messages: []openai.ChatCompletionMessage{
			{Role: openai.ChatMessageRoleSystem, Content: sentimentPrompt(language)},
			{Role: openai.ChatMessageRoleUser, Content: text},
		},
		ResponseFormat: &openai.ChatCompletionResponseFormat{Type: openai.ChatCompletionResponseFormatTypeJSONObject},
	}
	if !IsReasoningModel(model) {
		SetTemperature(&req, 0)
		SetMaxTokens(&req, sentimentMaxTokens)
	}
	resp, err := b.Client(cfg).CreateChatCompletion(ctx, req)
	if err != nil {
		return provider.SentimentResult{}, fmt.Errorf("sentiment: %w", MapError(ctx, err, cfg, model))
	}
	if len(resp.Choices) == 0 {
		return provider.SentimentResult{}, fmt.Errorf("sentiment: %w: model %q returned no answer", provider.ErrUnavailable, model)
	}
	res, err := ParseSentiment(resp.Choices[0].Message.Content)
	if err != nil {
		return provider.SentimentResult{}, fmt.Errorf("sentiment: model %q: %w", model, err)
	}
	return res, nil
}

// sentimentPrompt is the instruction; json_object mode requires the word
// JSON in it.
func sentimentPrompt(language string) string {
	lang := "the language of the BCP-47 tag " + strconv.Quote(language)
	switch provider.BaseLanguage(language) {
	case "ko":
		lang = "Korean"
	case "en":
		lang = "English"
	case "", provider.LanguageAuto:
		lang = "the caller's language"
	}
	return "You rate the sentiment of what a caller said to a customer-service voice agent. " +
		"The text is in " + lang + "; judge it in that language and do not translate it. " +
		`Answer with only a JSON object: {"sentiment": "positive" | "neutral" | "negative", "score": <number>}, ` +
		"where score runs from 0 (most negative) through 0.5 (neutral) to 1 (most positive) and agrees with sentiment. " +
		"Plain requests, questions and greetings without feeling are neutral."
}
