// Package e2e is the one kit of the tests and benchmarks that drive a
// built runtime from outside. It builds the runtime and its plugins as
// `make build` lays them out (build.go); launches the runtime or another
// server on a free loopback port, captures its log (internal/logcap) and
// stops it by PID (process.go, runtime.go); makes test speech with flite
// (flite.go, on internal/flite); places a browser-like call with the
// loopback Pion caller (caller.go, dial.go, on internal/loopback) joined
// over internal/sioclient, recording its signaling events (events.go);
// and finds Node.js and Chromium for the browser tests (tools.go,
// driver.go).
//
// What a benchmark uses too has an error-returning core (Build,
// LaunchRuntime, Launch, Ready, Terminate, Flite, PickFreePort); the
// functions that take a testing.TB are thin wrappers that fail or skip the
// test on trouble and clean up when it ends. cmd/runtime, test/* and
// bench/* use this package rather than copies of their own.
package e2e

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"testing"
)

// Root returns the repository's root: the nearest directory, from the
// test's working directory up, that holds go.mod.
func Root(t testing.TB) string {
	t.Helper()
	dir, err := RepoRoot()
	if err != nil {
		t.Fatal(err)
	}
	return dir
}

// RepoRoot returns the repository's root: the nearest directory, from the
// working directory up, that holds go.mod.
func RepoRoot() (string, error) {
	dir, err := os.Getwd()
	if err != nil {
		return "", fmt.Errorf("repository root: %w", err)
	}
	for {
		if _, err := os.Stat(filepath.Join(dir, "go.mod")); err == nil {
			return dir, nil
		} else if !errors.Is(err, os.ErrNotExist) {
			return "", fmt.Errorf("repository root: %w", err)
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			return "", errors.New("no go.mod above the working directory")
		}
		dir = parent
	}
}
