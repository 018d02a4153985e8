package turn

import (
	"strings"

	"github.com/parleyhq/parley/runtime/agent"
	"github.com/parleyhq/parley/runtime/pcm"
	"github.com/parleyhq/parley/runtime/provider"
	"github.com/parleyhq/parley/runtime/store"
	"github.com/parleyhq/parley/runtime/tools"
)

// Language is the language a turn is answered in: the agent's, or, for
// an agent with language auto, the one the caller was heard in (heard is
// what the STT detected; empty when it said nothing).
func Language(spec *agent.Spec, heard string) string {
	if spec.Language == agent.LanguageAuto && strings.TrimSpace(heard) != "" {
		return heard
	}
	return string(spec.Language)
}

// Window turns the last maxTurns stored turns into chat messages, oldest
// first (the original's "keep only the last N"). An agent turn that
// called tools becomes the calls, their results and then what it said, so
// the model sees what its tools answered in earlier turns.
func Window(turns []*store.Turn, maxTurns int) []provider.Message {
	if maxTurns <= 0 {
		return nil
	}
	if len(turns) > maxTurns {
		turns = turns[len(turns)-maxTurns:]
	}
	out := make([]provider.Message, 0, len(turns)+1)
	for _, t := range turns {
		if len(t.ToolCalls) > 0 {
			calls := make([]provider.ToolCall, len(t.ToolCalls))
			for i, tc := range t.ToolCalls {
				calls[i] = provider.ToolCall{ID: tc.ID, Name: tc.Name, Arguments: tc.Arguments}
			}
			out = append(out, provider.Message{Role: provider.RoleAssistant, ToolCalls: calls})
			for _, tc := range t.ToolCalls {
				out = append(out, provider.Message{Role: provider.RoleTool, ToolCallID: tc.ID, Content: toolContent(tc)})
			}
			if strings.TrimSpace(t.Text) == "" {
				continue
			}
		}
		out = append(out, provider.Message{Role: provider.Role(t.Role), Content: t.Text})
	}
	return out
}

// toolContent is what the model was told of a stored tool call.
func toolContent(tc store.ToolCall) string {
	if tc.Error != "" {
		return tools.ErrorContent(tc.Error)
	}
	if tc.Result == "" {
		return "{}"
	}
	return tc.Result
}

// Tools are the agent's tools as the chat provider is offered them.
func Tools(spec *agent.Spec) []provider.Tool {
	if len(spec.Tools) == 0 {
		return nil
	}
	out := make([]provider.Tool, 0, len(spec.Tools))
	for i := range spec.Tools {
		t := &spec.Tools[i]
		p := spec.ToolParams(t.Name)
		if p == nil {
			continue
		}
		out = append(out, provider.Tool{Name: t.Name, Description: t.DescriptionOrDefault(), Parameters: p.JSON})
	}
	return out
}

// TTSRequest asks the agent's TTS provider to speak text in language.
func TTSRequest(spec *agent.Spec, language, text string) provider.TTSRequest {
	return provider.TTSRequest{Text: text, Voice: spec.Voice, Language: language, Options: spec.Providers.TTS.Options}
}

// STTConfig opens the agent's live recognition stream at rate.
func STTConfig(spec *agent.Spec, rate int) provider.STTConfig {
	return provider.STTConfig{Language: string(spec.Language), SampleRate: rate, Options: spec.Providers.STT.Options}
}

// TranscribeRequest asks the agent's STT provider for a whole recording.
func TranscribeRequest(spec *agent.Spec, a pcm.Audio) provider.TranscribeRequest {
	return provider.TranscribeRequest{Audio: a, Language: string(spec.Language), Options: spec.Providers.STT.Options}
}

// SentimentRequest asks the agent's sentiment provider to score the
// caller's words (the agent must have one).
func SentimentRequest(spec *agent.Spec, language, text string) provider.SentimentRequest {
	var opts provider.Options
	if p := spec.Providers.Sentiment; p != nil {
		opts = p.Options
	}
	return provider.SentimentRequest{Text: text, Language: language, Options: opts}
}
