package oaifake

import (
	"github.com/hashicorp/go-hclog"

	"github.com/parleyhq/parley/internal/logcap"
)

// Logs is a goroutine-safe log sink (internal/logcap), for tests that
// check what a plugin logs (that it never logs the API key).
type Logs = logcap.Log

// NewLogger returns a debug-level JSON logger writing to a new Logs.
func NewLogger(name string) (hclog.Logger, *Logs) {
	l := &Logs{}
	return hclog.New(&hclog.LoggerOptions{Name: name, Output: l, JSONFormat: true, Level: hclog.Debug}), l
}

// Env is a fake environment for a plugin's Getenv.
type Env map[string]string

// Getenv looks a variable up.
func (e Env) Getenv(name string) string { return e[name] }
