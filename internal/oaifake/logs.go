package oaifake

import (
	"bytes"
	"sync"

	"github.com/hashicorp/go-hclog"
)

// Logs is a goroutine-safe log sink, for tests that check what a plugin
// logs (that it never logs the API key).
type Logs struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

// NewLogger returns a debug-level JSON logger writing to a new Logs.
func NewLogger(name string) (hclog.Logger, *Logs) {
	l := &Logs{}
	return hclog.New(&hclog.LoggerOptions{Name: name, Output: l, JSONFormat: true, Level: hclog.Debug}), l
}

// Write implements io.Writer.
func (l *Logs) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.buf.Write(p)
}

// String returns everything logged so far.
func (l *Logs) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.buf.String()
}

// Env is a fake environment for a plugin's Getenv.
type Env map[string]string

// Getenv looks a variable up.
func (e Env) Getenv(name string) string { return e[name] }
