package prometheus

import (
	"os"
	"path/filepath"
	"slices"
	"testing"

	"github.com/stretchr/testify/require"
	"go.yaml.in/yaml/v3"

	"github.com/parleyhq/parley/internal/e2e"
)

// repoRoot is the repository, from this package's directory.
const repoRoot = "../.."

// buildRuntime builds the runtime and the default agent's plugins (see
// e2e.BuildRuntime) and returns the runtime's binary. The other agents of
// agents/ need an OpenAI key, which the test's runtime does not have: their
// plugins would never start, so they are not built (a link is seconds on a
// loaded machine).
func buildRuntime(t *testing.T) string {
	t.Helper()
	var spec struct {
		Providers map[string]struct {
			Plugin string `yaml:"plugin"`
		} `yaml:"providers"`
	}
	raw, err := os.ReadFile(filepath.Join(repoRoot, "agents", "default.yaml"))
	require.NoError(t, err)
	require.NoError(t, yaml.Unmarshal(raw, &spec))
	var plugins []string
	for _, p := range spec.Providers {
		if _, err := os.Stat(filepath.Join(repoRoot, "plugins", p.Plugin)); err == nil && !slices.Contains(plugins, p.Plugin) {
			plugins = append(plugins, p.Plugin)
		}
	}
	require.NotEmpty(t, plugins, "agents/default.yaml names no built-in plugin")
	return e2e.Binary(e2e.BuildRuntime(t, e2e.Race, plugins...))
}
