package oai

import (
	"math"
	"strings"

	openai "github.com/sashabaranov/go-openai"
)

// OptModel is the option naming the model, in every plugin.
const OptModel = "model"

// Chat model defaults.
const (
	// ModelEnv names the variable that sets the default chat model.
	ModelEnv = "OPENAI_MODEL"
	// DefaultChatModel is the chat model when neither the options nor
	// OPENAI_MODEL name one.
	DefaultChatModel = "gpt-4o"
)

// ChatModel returns the model option, else $OPENAI_MODEL, else
// DefaultChatModel.
func (b *Backend) ChatModel(r *OptionReader) string {
	def := strings.TrimSpace(b.getenv(ModelEnv))
	if def == "" {
		def = DefaultChatModel
	}
	m := r.String(OptModel, def)
	if strings.TrimSpace(m) == "" {
		r.Problemf(OptModel, "must not be empty")
		return def
	}
	return m
}

// IsReasoningModel reports whether OpenAI's model is one of the reasoning
// families (o1, o3, o4, gpt-5 ...) that take max_completion_tokens instead of
// max_tokens and only their default temperature.
func IsReasoningModel(model string) bool {
	for _, p := range []string{"o1", "o3", "o4", "gpt-5", "gpt-6"} {
		if strings.HasPrefix(model, p) {
			return true
		}
	}
	return false
}

// SetTemperature sets req's temperature. go-openai omits a zero
// temperature from the request, so 0 is sent as the smallest positive
// float, which servers treat as 0.
func SetTemperature(req *openai.ChatCompletionRequest, t float64) {
	req.Temperature = float32(t)
	if req.Temperature == 0 {
		req.Temperature = math.SmallestNonzeroFloat32
	}
}

// SetMaxTokens sets the reply length limit in the field the model takes:
// max_completion_tokens for OpenAI's reasoning models, max_tokens for the
// others, because compatible servers (Ollama, llama.cpp) read only that.
func SetMaxTokens(req *openai.ChatCompletionRequest, n int) {
	if IsReasoningModel(req.Model) {
		req.MaxCompletionTokens = n
		return
	}
	req.MaxTokens = n //nolint:staticcheck // deprecated by OpenAI, but the field compatible servers read
}
