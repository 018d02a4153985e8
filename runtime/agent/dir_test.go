package agent

import (
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"
)

func TestValidateDirDuplicateNames(t *testing.T) {
	lines, err := ValidateDir("testdata/duplicate")
	require.ErrorIs(t, err, ErrInvalid)
	require.ErrorContains(t, err, "1 of 3 agent files")
	require.Equal(t, []string{
		`testdata/duplicate/a-first.yaml: ok (agent "shop")`,
		`testdata/duplicate/b-second.yaml:2: name: agent "shop" is already defined in testdata/duplicate/a-first.yaml; agent names must be unique`,
		`testdata/duplicate/c-other.yaml: ok (agent "other")`,
	}, lines)
}

func TestValidateDirReportsEveryFile(t *testing.T) {
	lines, err := ValidateDir("testdata/invalid")
	require.ErrorIs(t, err, ErrInvalid)
	files, err := filepath.Glob("testdata/invalid/*.yaml")
	require.NoError(t, err)
	for _, f := range files {
		require.True(t, slices.ContainsFunc(lines, func(l string) bool { return strings.HasPrefix(l, f+":") }), "no line for %s", f)
	}
}

func TestValidateDirValid(t *testing.T) {
	for _, dir := range []string{"testdata/valid", "../../agents"} {
		lines, err := ValidateDir(dir)
		require.NoError(t, err, "ValidateDir(%s):\n%s", dir, strings.Join(lines, "\n"))
		for _, l := range lines {
			require.Contains(t, l, ": ok (agent ")
		}
	}
}

func TestValidateDirEmptyAndMissing(t *testing.T) {
	dir := t.TempDir()
	writeFile(t, dir, "notes.txt", "not an agent")
	_, err := ValidateDir(dir)
	require.ErrorIs(t, err, ErrNoAgents)
	_, err = ValidateDir(filepath.Join(dir, "missing"))
	require.ErrorIs(t, err, os.ErrNotExist)
}

func TestIsAgentFile(t *testing.T) {
	for name, want := range map[string]bool{
		"default.yaml":      true,
		"support-ko.yml":    true,
		"x.YAML":            false,
		".hidden.yaml":      false,
		".#default.yaml":    false,
		"default.yaml~":     false,
		".default.yaml.swp": false,
		"default.yaml.swp":  false,
		"#default.yaml#":    false,
		"default.yaml.bak":  false,
		"README.md":         false,
	} {
		require.Equal(t, want, isAgentFile(name), name)
	}
}
