package oai

import (
	"context"
	"errors"
	"fmt"
	"io"
	"sync"
	"time"

	"github.com/parleyhq/parley/runtime/provider"
)

// timeoutError is a timed-out attempt: it wraps provider.ErrTimeout.
type timeoutError struct {
	what  string // "no response" or "the response stalled"
	after time.Duration
}

func (e *timeoutError) Error() string {
	return fmt.Sprintf("%s: %s for %s", provider.ErrTimeout, e.what, e.after)
}

func (e *timeoutError) Unwrap() error { return provider.ErrTimeout }

func isTimeout(err error) bool { return errors.Is(err, provider.ErrTimeout) }

// attemptTimer cancels one attempt's context when it has waited too long:
// first for the response headers, then for each read of the body.
type attemptTimer struct {
	cancel  context.CancelFunc
	timeout time.Duration
	timer   *time.Timer // nil without a timeout

	mu       sync.Mutex
	timedOut bool
}

// startAttempt derives the context of one attempt from the request's.
func startAttempt(parent context.Context, timeout time.Duration) (context.Context, *attemptTimer) {
	ctx, cancel := context.WithCancel(parent)
	a := &attemptTimer{cancel: cancel, timeout: timeout}
	if timeout > 0 {
		a.timer = time.AfterFunc(timeout, a.expire)
	}
	return ctx, a
}

func (a *attemptTimer) expire() {
	a.mu.Lock()
	a.timedOut = true
	a.mu.Unlock()
	a.cancel()
}

// expired reports whether the attempt was cancelled for taking too long.
func (a *attemptTimer) expired() bool {
	a.mu.Lock()
	defer a.mu.Unlock()
	return a.timedOut
}

// touch restarts the wait: something arrived.
func (a *attemptTimer) touch() {
	if a.timer != nil {
		a.timer.Reset(a.timeout)
	}
}

// end releases the attempt: its body is finished with.
func (a *attemptTimer) end() {
	if a.timer != nil {
		a.timer.Stop()
	}
	a.cancel()
}

// idleBody is a response body whose reads may not stall for longer than
// the attempt's timeout. Reaching its end, failing or closing it releases
// the attempt.
type idleBody struct {
	rc io.ReadCloser
	a  *attemptTimer
}

func (b *idleBody) Read(p []byte) (int, error) {
	n, err := b.rc.Read(p)
	if n > 0 {
		b.a.touch()
	}
	if err != nil {
		b.a.end()
		if err != io.EOF && b.a.expired() {
			err = &timeoutError{what: "the response stalled", after: b.a.timeout}
		}
	}
	return n, err
}

func (b *idleBody) Close() error {
	err := b.rc.Close()
	b.a.end()
	return err
}
