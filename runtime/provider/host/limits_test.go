package host

import (
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/parleyhq/parley/runtime/agent"
)

// TestStreamLimits reads the limit a real plugin declares, keyed by its
// binary, and leaves out plugins that declare none.
func TestStreamLimits(t *testing.T) {
	h, _ := newHost(t)
	spec := &agent.Spec{
		Name: "a", Language: agent.LanguageEnglish,
		Providers: agent.Providers{
			STT:  agent.Provider{Plugin: "fake-stt"},
			Chat: agent.Provider{Plugin: "fake"},
			TTS:  agent.Provider{Plugin: "fake"},
		},
	}
	p := healthy(t, h, "fake-stt")
	healthy(t, h, "fake")
	require.Equal(t, 3, p.MaxStreams())
	require.Equal(t, 3, p.Status().MaxStreams)
	require.Equal(t, map[string]int{filepath.Join(pluginDir, "fake-stt"): 3}, h.StreamLimits(spec))

	spec.Providers.STT = agent.Provider{Plugin: "fake"}
	require.Empty(t, h.StreamLimits(spec))
	spec.Providers.STT = agent.Provider{Plugin: "missing"}
	require.Empty(t, h.StreamLimits(spec), "a missing plugin fails the call elsewhere, with its own error")
}
