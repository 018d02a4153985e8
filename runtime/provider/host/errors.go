package host

import "errors"

var (
	// ErrNotRunning means the plugin has no live process right now (it is
	// starting, restarting or failed). It matches provider.ErrUnavailable.
	ErrNotRunning = errors.New("plugin is not running")
	// ErrBadResponse means a plugin answered with something the contract
	// does not allow (an unknown sentiment label, a score out of range,
	// audio without a sample rate ...).
	ErrBadResponse = errors.New("plugin sent an invalid response")
	// ErrClosed means the host is shutting down.
	ErrClosed = errors.New("plugin host is closed")
)
