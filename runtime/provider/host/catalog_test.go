package host

import (
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/parleyhq/parley/runtime/agent"
)

// TestAvailabilityAtBaseURL checks that OPENAI_BASE_URL, the default
// base_url of the OpenAI plugins, decides whether an agent without a
// base_url option needs OPENAI_API_KEY.
func TestAvailabilityAtBaseURL(t *testing.T) {
	spec := func(chatOpts map[string]any) *agent.Spec {
		return &agent.Spec{Name: "a", Providers: agent.Providers{
			STT:       agent.Provider{Plugin: "pocketsphinx"},
			Chat:      agent.Provider{Plugin: "openai-chat", Options: chatOpts},
			TTS:       agent.Provider{Plugin: "espeak"},
			Sentiment: &agent.Provider{Plugin: "sentiment", Options: map[string]any{"mode": "llm"}},
		}}
	}
	tests := []struct {
		name     string
		haveKey  bool
		base     string
		chatOpts map[string]any
		needKey  bool
	}{
		{"OpenAI by default", false, "", nil, true},
		{"key set", true, "", nil, false},
		{"OPENAI_BASE_URL elsewhere", false, "http://localhost:11434/v1", nil, false},
		{"OPENAI_BASE_URL at OpenAI", false, "https://api.openai.com/v1", nil, true},
		{"base_url option wins", false, "http://localhost:11434/v1", map[string]any{"base_url": "https://api.openai.com/v1"}, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := AvailabilityAt(tt.haveKey, tt.base)(spec(tt.chatOpts))
			if !tt.needKey {
				require.NoError(t, err)
				return
			}
			require.ErrorContains(t, err, "OPENAI_API_KEY is not set")
			require.ErrorContains(t, err, "chat (openai-chat)")
		})
	}
	require.Error(t, Availability(false)(spec(nil)), "Availability is AvailabilityAt OpenAI's API")
}
