package prometheus

import (
	"testing"

	"github.com/parleyhq/parley/internal/e2e"
)

// repoRoot is the repository, from this package's directory.
const repoRoot = "../.."

// buildRuntime builds the runtime with the default agent's plugins.
func buildRuntime(t *testing.T) string { return e2e.BuildDefault(t) }
