// Package e2e is support for the end-to-end tests under test/: it builds the
// runtime and its plugins as `make build` lays them out, starts processes
// on free loopback ports and stops them by PID, speaks test audio with
// flite, and finds Node.js and Chromium for the browser tests. Everything
// takes the test's *testing.T and fails or skips it on trouble.
package e2e

import (
	"errors"
	"os"
	"path/filepath"
	"testing"
)

// Root returns the repository's root: the nearest directory, from the
// test's working directory up, that holds go.mod.
func Root(t testing.TB) string {
	t.Helper()
	dir, err := os.Getwd()
	if err != nil {
		t.Fatal(err)
	}
	for {
		if _, err := os.Stat(filepath.Join(dir, "go.mod")); err == nil {
			return dir
		} else if !errors.Is(err, os.ErrNotExist) {
			t.Fatal(err)
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			t.Fatal("no go.mod above the test's working directory")
		}
		dir = parent
	}
}
