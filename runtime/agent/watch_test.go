package agent

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
)

// within is how soon a change must take effect.
const within = 2 * time.Second

// startRun runs r.Run until the test ends and returns once the watch is in
// place (Run reloads once it is).
func startRun(t *testing.T, r *Registry) {
	t.Helper()
	ch, unsubscribe := r.Subscribe()
	defer unsubscribe()
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- r.Run(ctx) }()
	t.Cleanup(func() {
		cancel()
		require.NoError(t, <-done, "Run")
	})
	select {
	case <-ch:
	case err := <-done:
		t.Fatalf("Run returned early: %v", err)
	case <-time.After(within):
		t.Fatal("Run did not start")
	}
}

// greetingOf returns the greeting of agent name, or "" when Get fails.
func greetingOf(r *Registry, name string) string {
	s, err := r.Get(name)
	if err != nil {
		return ""
	}
	return s.Greeting
}

func TestRunReloadsOnChanges(t *testing.T) {
	r, dir := newTestRegistry(t, map[string]string{"default.yaml": agentYAML("default", "Hi")}, WithDebounce(20*time.Millisecond))
	startRun(t, r)
	const tick = 10 * time.Millisecond

	// Add.
	writeFile(t, dir, "sales.yaml", agentYAML("sales", "Old"))
	require.Eventually(t, func() bool { return greetingOf(r, "sales") == "Old" }, within, tick, "added agent not found")
	before := mustGet(t, r, "sales")

	// Edit the way editors do: write a temporary file, rename it over.
	writeFile(t, dir, ".sales.yaml.tmp", agentYAML("sales", "New"))
	require.NoError(t, os.Rename(filepath.Join(dir, ".sales.yaml.tmp"), filepath.Join(dir, "sales.yaml")))
	require.Eventually(t, func() bool { return greetingOf(r, "sales") == "New" }, within, tick, "edit not seen")
	require.Equal(t, "Old", before.Greeting, "a spec handed out before the edit changed")

	// Edit in place, with a problem: the previous version stays.
	current := mustGet(t, r, "sales")
	writeFile(t, dir, "sales.yaml", agentYAML("sales", "Broken")+"turn_taking: {max_turn: 30}\n")
	require.Eventually(t, func() bool {
		i, _ := findInfo(r, "sales")
		return strings.Contains(strings.Join(i.Errors, "\n"), "turn_taking.max_turn: 30 is a bare number")
	}, within, tick, "invalid edit not reported")
	i := infoOf(t, r, "sales")
	require.Equal(t, StatusReady, i.Status)
	require.Contains(t, i.Errors[len(i.Errors)-1], "keeping the previous version")
	require.Same(t, current, mustGet(t, r, "sales"))

	// Remove.
	require.NoError(t, os.Remove(filepath.Join(dir, "sales.yaml")))
	require.Eventually(t, func() bool { _, err := r.Get("sales"); return errors.Is(err, ErrNotFound) }, within, tick, "removed agent still found")

	// Create it again (koanf's file watcher stops after a delete; ours must not).
	writeFile(t, dir, "sales.yaml", agentYAML("sales", "Again"))
	require.Eventually(t, func() bool { return greetingOf(r, "sales") == "Again" }, within, tick, "re-created agent not found")
}

func TestRunDebounces(t *testing.T) {
	r, dir := newTestRegistry(t, map[string]string{"default.yaml": agentYAML("default", "Hi")}, WithDebounce(300*time.Millisecond))
	startRun(t, r)
	ch, unsubscribe := r.Subscribe()
	defer unsubscribe()

	start := time.Now()
	for i := range 5 {
		writeFile(t, dir, "burst.yaml", agentYAML("burst", strings.Repeat("x", i+1)))
	}
	select {
	case <-ch:
	case <-time.After(within):
		t.Fatal("no reload after a burst of writes")
	}
	require.GreaterOrEqual(t, time.Since(start), 300*time.Millisecond, "reloaded before the debounce interval")
	require.Equal(t, "xxxxx", mustGet(t, r, "burst").Greeting, "the reload must see the last write")
}

func TestRunStopsWithContext(t *testing.T) {
	r, _ := newTestRegistry(t, map[string]string{"default.yaml": agentYAML("default", "Hi")})
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- r.Run(ctx) }()
	cancel()
	select {
	case err := <-done:
		require.NoError(t, err)
	case <-time.After(within):
		t.Fatal("Run did not return after cancel")
	}
}

func TestRunMissingDirectory(t *testing.T) {
	r, dir := newTestRegistry(t, map[string]string{"default.yaml": agentYAML("default", "Hi")})
	require.NoError(t, os.RemoveAll(dir))
	require.Error(t, r.Run(context.Background()))
}
