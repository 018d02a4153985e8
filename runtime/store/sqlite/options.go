package sqlite

import (
	"errors"
	"runtime"
	"time"
)

// Option configures Open.
type Option func(*options)

type options struct {
	busyTimeout time.Duration
	readConns   int
}

func defaultOptions() options {
	return options{
		busyTimeout: 5 * time.Second,
		readConns:   max(4, runtime.GOMAXPROCS(0)),
	}
}

func (o options) validate() error {
	var errs []error
	if o.busyTimeout < time.Millisecond {
		errs = append(errs, errors.New("busy timeout must be at least 1ms"))
	}
	if o.readConns < 1 {
		errs = append(errs, errors.New("read connections must be at least 1"))
	}
	return errors.Join(errs...)
}

// WithBusyTimeout sets how long a statement waits for a lock another
// connection (another process, usually) holds before failing with
// SQLITE_BUSY. The default is 5 seconds.
func WithBusyTimeout(d time.Duration) Option {
	return func(o *options) { o.busyTimeout = d }
}

// WithReadConns sets how many read-only connections may be open at once. The
// default is GOMAXPROCS, at least 4. Writes always use one connection.
func WithReadConns(n int) Option {
	return func(o *options) { o.readConns = n }
}
