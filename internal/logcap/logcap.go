// Package logcap captures what a process or logger writes, for tests and
// benchmarks to read while it runs: the runtime's and its plugins' logs
// (internal/e2e), a plugin's hclog output (runtime/provider/providertest,
// internal/oaifake). It is the one log capture of the repository.
package logcap

import (
	"bytes"
	"strings"
	"sync"
)

// Log collects a process's or logger's output while a test reads it. The
// zero value is ready to use; it is safe for concurrent use.
type Log struct {
	mu sync.Mutex
	b  bytes.Buffer
}

// Write appends p.
func (l *Log) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.Write(p)
}

// String returns everything written so far.
func (l *Log) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.String()
}

// Tail returns the last n lines.
func (l *Log) Tail(n int) string {
	lines := strings.Split(strings.TrimRight(l.String(), "\n"), "\n")
	return strings.Join(lines[max(0, len(lines)-n):], "\n")
}
