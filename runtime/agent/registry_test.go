package agent

import (
	"errors"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/stretchr/testify/require"
)

var quiet = WithLogger(slog.New(slog.DiscardHandler))

// agentYAML returns a valid agent file named name with the given greeting.
func agentYAML(name, greeting string) string {
	return minimal(name) + "greeting: " + greeting + "\n"
}

// newTestRegistry writes files (name -> content) to a temp dir and opens a
// registry on it with "default" as the default agent.
func newTestRegistry(t *testing.T, files map[string]string, opts ...Option) (*Registry, string) {
	t.Helper()
	dir := t.TempDir()
	for name, content := range files {
		writeFile(t, dir, name, content)
	}
	r, err := NewRegistry(dir, "default", append([]Option{quiet}, opts...)...)
	require.NoError(t, err)
	return r, dir
}

func mustGet(t *testing.T, r *Registry, name string) *Spec {
	t.Helper()
	s, err := r.Get(name)
	require.NoError(t, err, "Get(%q)", name)
	return s
}

// findInfo returns the listing of the agent called name. It does not fail
// the test, so it can run inside require.Eventually.
func findInfo(r *Registry, name string) (Info, bool) {
	for _, i := range r.List() {
		if i.Name == name {
			return i, true
		}
	}
	return Info{}, false
}

func infoOf(t *testing.T, r *Registry, name string) Info {
	t.Helper()
	i, ok := findInfo(r, name)
	require.True(t, ok, "%q not listed in %+v", name, r.List())
	return i
}

func TestRegistryLoad(t *testing.T) {
	r, dir := newTestRegistry(t, map[string]string{
		"default.yaml":  agentYAML("default", "Hello"),
		"sales.yml":     agentYAML("sales", "Hi"),
		"broken.yaml":   "name: [\n",
		"bad-lang.yaml": strings.Replace(minimal("bad-lang"), "language: en", "language: deutsch", 1),
		".hidden.yaml":  agentYAML("hidden", "no"),
		"backup.yaml~":  agentYAML("backup", "no"),
		"notes.txt":     "not an agent",
	})
	require.NoError(t, os.Mkdir(filepath.Join(dir, "sub.yaml"), 0o755))
	require.NoError(t, r.Reload())

	var names []string
	for _, i := range r.List() {
		names = append(names, i.Name+"="+string(i.Status))
	}
	require.Equal(t, []string{"bad-lang=invalid", "broken=invalid", "default=ready", "sales=ready"}, names)

	d := r.Default()
	require.NotNil(t, d)
	require.Equal(t, "Hello", d.Greeting)
	require.Equal(t, "default", r.DefaultName())
	require.Equal(t, Info{
		Name:     "default",
		File:     filepath.Join(dir, "default.yaml"),
		Language: LanguageEnglish,
		Status:   StatusReady,
		Default:  true,
	}, infoOf(t, r, "default"))
	require.Equal(t, filepath.Join(dir, "sales.yml"), mustGet(t, r, "sales").File)

	_, err := r.Get("nobody")
	require.ErrorIs(t, err, ErrNotFound)
	require.ErrorContains(t, err, `"nobody"`)

	_, err = r.Get("bad-lang")
	require.ErrorIs(t, err, ErrInvalid)
	require.ErrorContains(t, err, `"bad-lang"`)
	require.ErrorContains(t, err, "must be a BCP-47 language tag")

	broken := infoOf(t, r, "broken")
	require.Len(t, broken.Errors, 1)
	require.Contains(t, broken.Errors[0], "YAML syntax error")
}

func TestRegistryListIsACopy(t *testing.T) {
	r, _ := newTestRegistry(t, map[string]string{"default.yaml": agentYAML("default", "Hi"), "x.yaml": "name: x\n"})
	l := r.List() // sorted: default, x
	l[1].Errors[0] = "changed"
	l[1].Name = "changed"
	require.NotEqual(t, "changed", r.List()[1].Errors[0])
	require.Equal(t, "x", r.List()[1].Name)
}

func TestNewRegistryDefaultProblems(t *testing.T) {
	tests := []struct {
		name    string
		files   map[string]string
		want    error
		wantMsg []string
	}{
		{
			name:    "missing",
			files:   map[string]string{"other.yaml": agentYAML("other", "Hi")},
			want:    ErrDefaultMissing,
			wantMsg: []string{`defines "default"`},
		},
		{
			name:    "empty directory",
			want:    ErrDefaultMissing,
			wantMsg: []string{`defines "default"`},
		},
		{
			name:  "invalid, with all its problems",
			files: map[string]string{"default.yaml": "name: default\nlanguage: french\nhistory: {max_turns: 2000}\n"},
			want:  ErrDefaultInvalid,
			wantMsg: []string{
				`language: must be a BCP-47 language tag such as en, en-US, ko, pt-BR or zh-Hant-TW, or auto, not "french"`,
				"system_prompt: is required",
				"history.max_turns: must be between 0 and 1000, not 2000",
				"providers: is required",
			},
		},
		{
			name:    "unparsable, found by its file name",
			files:   map[string]string{"default.yaml": "name: default\n  language: en\n"},
			want:    ErrDefaultInvalid,
			wantMsg: []string{"default.yaml:2: YAML syntax error"},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			dir := t.TempDir()
			for name, content := range tt.files {
				writeFile(t, dir, name, content)
			}
			r, err := NewRegistry(dir, "default", quiet)
			require.Nil(t, r)
			require.ErrorIs(t, err, tt.want)
			for _, msg := range tt.wantMsg {
				require.ErrorContains(t, err, msg)
			}
		})
	}
	t.Run("no directory", func(t *testing.T) {
		_, err := NewRegistry(filepath.Join(t.TempDir(), "nope"), "default", quiet)
		require.ErrorIs(t, err, os.ErrNotExist)
	})
	t.Run("no default name", func(t *testing.T) {
		_, err := NewRegistry(t.TempDir(), "", quiet)
		require.ErrorIs(t, err, ErrDefaultMissing)
	})
}

func TestRegistryAvailability(t *testing.T) {
	var keySet atomic.Bool
	needsKey := WithAvailability(func(s *Spec) error {
		if strings.HasPrefix(s.Providers.Chat.Plugin, "openai-") && !keySet.Load() {
			return errors.New("needs OPENAI_API_KEY")
		}
		return nil
	})
	cloud := strings.Replace(agentYAML("cloud", "Hi"), "plugin: scripted", "plugin: openai-chat", 1)
	r, _ := newTestRegistry(t, map[string]string{"default.yaml": agentYAML("default", "Hi"), "cloud.yaml": cloud}, needsKey)

	i := infoOf(t, r, "cloud")
	require.Equal(t, StatusUnavailable, i.Status)
	require.Equal(t, []string{"needs OPENAI_API_KEY"}, i.Errors)
	_, err := r.Get("cloud")
	require.ErrorIs(t, err, ErrUnavailable)
	require.ErrorContains(t, err, `"cloud": needs OPENAI_API_KEY`)

	keySet.Store(true) // availability is checked again on every reload
	require.NoError(t, r.Reload())
	i = infoOf(t, r, "cloud")
	require.Equal(t, StatusReady, i.Status)
	require.Empty(t, i.Errors)
	mustGet(t, r, "cloud")

	t.Run("an unavailable default fails NewRegistry", func(t *testing.T) {
		keySet.Store(false)
		dir := t.TempDir()
		writeFile(t, dir, "default.yaml", strings.Replace(cloud, "name: cloud", "name: default", 1))
		_, err := NewRegistry(dir, "default", quiet, needsKey)
		require.ErrorIs(t, err, ErrDefaultInvalid)
		require.ErrorIs(t, err, ErrUnavailable)
		require.ErrorContains(t, err, "OPENAI_API_KEY")
	})
}

func TestReloadEdit(t *testing.T) {
	r, dir := newTestRegistry(t, map[string]string{"default.yaml": agentYAML("default", "Hi"), "sales.yaml": agentYAML("sales", "Old")})
	before := mustGet(t, r, "sales")
	beforeCopy := *before
	unchanged := mustGet(t, r, "default")

	writeFile(t, dir, "sales.yaml", agentYAML("sales", "New")+"history: {max_turns: 3}\n")
	require.NoError(t, r.Reload())

	after := mustGet(t, r, "sales")
	require.NotSame(t, before, after)
	require.Equal(t, "New", after.Greeting)
	require.Equal(t, 3, after.History.MaxTurns)
	require.NotEqual(t, before.Version, after.Version)
	require.Equal(t, beforeCopy, *before, "a spec handed out before the edit changed")
	require.Same(t, unchanged, mustGet(t, r, "default"), "an unchanged file got a new *Spec")
}

func TestReloadInvalidEditKeepsPrevious(t *testing.T) {
	r, dir := newTestRegistry(t, map[string]string{"default.yaml": agentYAML("default", "Hi"), "sales.yaml": agentYAML("sales", "Old")})
	before := mustGet(t, r, "sales")

	writeFile(t, dir, "sales.yaml", agentYAML("sales", "New")+"history: {max_turns: lots}\n")
	require.NoError(t, r.Reload())

	require.Same(t, before, mustGet(t, r, "sales"), "Get after an invalid edit must return the previous version")
	i := infoOf(t, r, "sales")
	require.Equal(t, StatusReady, i.Status)
	require.Len(t, i.Errors, 2)
	require.Contains(t, i.Errors[0], `sales.yaml:9: history.max_turns: must be a whole number, not "lots"`)
	require.Contains(t, i.Errors[1], "keeping the previous version")

	// Fixing the file brings the new version in.
	writeFile(t, dir, "sales.yaml", agentYAML("sales", "Fixed"))
	require.NoError(t, r.Reload())
	require.Equal(t, "Fixed", mustGet(t, r, "sales").Greeting)
	require.Empty(t, infoOf(t, r, "sales").Errors)
}

func TestReloadDuplicateName(t *testing.T) {
	r, dir := newTestRegistry(t, map[string]string{"default.yaml": agentYAML("default", "Hi"), "a.yaml": agentYAML("a", "A"), "b.yaml": agentYAML("b", "B")})
	bBefore := mustGet(t, r, "b")

	// b.yaml now claims a's name: b is the later file, so it is the invalid
	// one, and it keeps serving its previous version.
	writeFile(t, dir, "b.yaml", agentYAML("a", "B2"))
	require.NoError(t, r.Reload())
	require.Equal(t, "A", mustGet(t, r, "a").Greeting)
	require.Same(t, bBefore, mustGet(t, r, "b"))
	i := infoOf(t, r, "b")
	require.NotEmpty(t, i.Errors)
	require.Contains(t, i.Errors[0], `name: agent "a" is already defined in `+filepath.Join(dir, "a.yaml"))

	// A new file that repeats a name is plain invalid.
	writeFile(t, dir, "c.yaml", agentYAML("a", "C"))
	require.NoError(t, r.Reload())
	var c Info
	for _, i := range r.List() {
		if i.File == filepath.Join(dir, "c.yaml") {
			c = i
		}
	}
	require.Equal(t, StatusInvalid, c.Status)
	require.Equal(t, "a", c.Name)
	require.Equal(t, "A", mustGet(t, r, "a").Greeting)
}

func TestReloadRemove(t *testing.T) {
	r, dir := newTestRegistry(t, map[string]string{"default.yaml": agentYAML("default", "Hi"), "sales.yaml": agentYAML("sales", "Old")})
	require.NoError(t, os.Remove(filepath.Join(dir, "sales.yaml")))
	require.NoError(t, r.Reload())
	_, err := r.Get("sales")
	require.ErrorIs(t, err, ErrNotFound)
	require.Len(t, r.List(), 1)
}

func TestReloadDefaultRemovedOrInvalid(t *testing.T) {
	r, dir := newTestRegistry(t, map[string]string{"default.yaml": agentYAML("default", "Hi")})
	def := r.Default()

	writeFile(t, dir, "default.yaml", "name: default\n")
	require.NoError(t, r.Reload())
	require.Same(t, def, r.Default(), "an invalid edit replaced the default agent")
	require.Same(t, def, mustGet(t, r, "default"))

	require.NoError(t, os.Remove(filepath.Join(dir, "default.yaml")))
	require.NoError(t, r.Reload())
	require.Same(t, def, r.Default(), "removing its file took the default agent out of service")
	require.Same(t, def, mustGet(t, r, "default"))
	i := infoOf(t, r, "default")
	require.True(t, i.Default)
	require.Equal(t, StatusReady, i.Status)
	require.Len(t, i.Errors, 1)
	require.Contains(t, i.Errors[0], "keeping the previous version")

	// Another agent does not replace the default either.
	writeFile(t, dir, "renamed.yaml", agentYAML("renamed", "R"))
	require.NoError(t, r.Reload())
	require.Same(t, def, r.Default())

	writeFile(t, dir, "default.yaml", agentYAML("default", "Back"))
	require.NoError(t, r.Reload())
	require.NotSame(t, def, r.Default())
	require.Equal(t, "Back", r.Default().Greeting)
	require.Empty(t, infoOf(t, r, "default").Errors)
}

func TestReloadDirectoryGone(t *testing.T) {
	r, dir := newTestRegistry(t, map[string]string{"default.yaml": agentYAML("default", "Hi")})
	require.NoError(t, os.RemoveAll(dir))
	require.ErrorIs(t, r.Reload(), os.ErrNotExist)
	mustGet(t, r, "default")
}

func TestSubscribe(t *testing.T) {
	r, _ := newTestRegistry(t, map[string]string{"default.yaml": agentYAML("default", "Hi")})
	ch, cancel := r.Subscribe()
	require.NoError(t, r.Reload())
	require.NoError(t, r.Reload())
	require.Len(t, ch, 1, "two reloads, one coalesced notification")
	<-ch
	cancel()
	cancel() // safe twice
	require.NoError(t, r.Reload())
	require.Empty(t, ch, "notified after cancel")
}
