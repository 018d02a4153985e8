package oai

import (
	"bytes"
	"fmt"
	"io"
	"net/http"
	"time"

	"github.com/hashicorp/go-hclog"

	"github.com/parleyhq/parley/internal/ctxtime"
)

// Defaults of the retry policy.
const (
	DefaultBackoff       = 500 * time.Millisecond
	DefaultMaxBackoff    = 8 * time.Second
	DefaultMaxRetryAfter = 20 * time.Second
)

// Transport is an http.RoundTripper for OpenAI's API. It retries a request
// that was throttled (429), failed on the server (5xx other than 501 and
// 505) or could not be sent (connection refused, reset ...) at most
// MaxRetries times, waiting as the server's Retry-After (or retry-after-ms)
// header says, capped at MaxRetryAfter, or else an exponential backoff with
// full jitter. It never waits past the request context's deadline: when the
// wait would end after it, the last answer is returned at once. Other 4xx
// answers are returned unretried.
//
// Each attempt is bounded by Timeout twice over: the response headers must
// arrive within it, and then the body may not stall for longer than it
// (so a long stream is fine while it keeps flowing). A timed-out attempt is
// not retried; its error wraps provider.ErrTimeout.
//
// Request bodies are replayed on retries (GetBody, or a buffered copy).
type Transport struct {
	// Base sends each attempt; nil means http.DefaultTransport.
	Base http.RoundTripper
	// MaxRetries is how many times a request may be retried.
	MaxRetries int
	// Timeout bounds each attempt as described above; 0 means none.
	Timeout time.Duration
	// Backoff is the ceiling of the first backoff, doubled per retry up to
	// MaxBackoff; 0 means DefaultBackoff.
	Backoff time.Duration
	// MaxBackoff caps the backoff; 0 means DefaultMaxBackoff.
	MaxBackoff time.Duration
	// MaxRetryAfter caps a server's Retry-After; 0 means DefaultMaxRetryAfter.
	MaxRetryAfter time.Duration
	// Logger receives a line per retry (method, path, status, wait); nil
	// logs nothing. Headers are never logged.
	Logger hclog.Logger
}

// RoundTrip implements http.RoundTripper.
func (t *Transport) RoundTrip(req *http.Request) (*http.Response, error) {
	first, getBody, err := replayable(req)
	if err != nil {
		return nil, err
	}
	ctx := req.Context()
	for n := 0; ; n++ {
		body := first
		if n > 0 && getBody != nil {
			if body, err = getBody(); err != nil {
				return nil, fmt.Errorf("replay request body: %w", err)
			}
		}
		resp, err := t.attempt(req, body, getBody)
		if n >= t.MaxRetries || ctx.Err() != nil || !retryable(resp, err) {
			return resp, err
		}
		wait := t.wait(n, resp)
		if deadline, ok := ctx.Deadline(); ok && time.Now().Add(wait).After(deadline) {
			t.log("not retrying: the wait would pass the deadline", req, resp, err, n, wait)
			return resp, err
		}
		t.log("retrying", req, resp, err, n, wait)
		discard(resp)
		if err := ctxtime.Sleep(ctx, wait); err != nil {
			return nil, err
		}
	}
}

// attempt sends one try of req with body, bounded by the timeout.
func (t *Transport) attempt(req *http.Request, body io.ReadCloser, getBody func() (io.ReadCloser, error)) (*http.Response, error) {
	ctx, a := startAttempt(req.Context(), t.Timeout)
	r := req.Clone(ctx)
	r.Body, r.GetBody = body, getBody
	base := t.Base
	if base == nil {
		base = http.DefaultTransport
	}
	resp, err := base.RoundTrip(r)
	if err != nil {
		a.end()
		if a.expired() {
			return nil, &timeoutError{what: "no response", after: t.Timeout}
		}
		return nil, err
	}
	a.touch()
	resp.Body = &idleBody{rc: resp.Body, a: a}
	return resp, nil
}

// retryable reports whether an attempt's outcome is worth another try.
func retryable(resp *http.Response, err error) bool {
	if err != nil {
		return !isTimeout(err)
	}
	switch resp.StatusCode {
	case http.StatusTooManyRequests:
		return true
	case http.StatusNotImplemented, http.StatusHTTPVersionNotSupported:
		return false
	default:
		return resp.StatusCode >= 500
	}
}

// wait is how long to wait before retry n+1.
func (t *Transport) wait(n int, resp *http.Response) time.Duration {
	if resp != nil {
		if d, ok := retryAfter(resp.Header, time.Now()); ok {
			return min(d, orDefault(t.MaxRetryAfter, DefaultMaxRetryAfter))
		}
	}
	return backoff(n, orDefault(t.Backoff, DefaultBackoff), orDefault(t.MaxBackoff, DefaultMaxBackoff))
}

func (t *Transport) log(msg string, req *http.Request, resp *http.Response, err error, n int, wait time.Duration) {
	if t.Logger == nil {
		return
	}
	args := []any{"method", req.Method, "host", req.URL.Host, "path", req.URL.Path, "attempt", n + 1, "max_retries", t.MaxRetries, "wait", wait.String()}
	if resp != nil {
		args = append(args, "status", resp.StatusCode)
	} else {
		args = append(args, "error", err.Error())
	}
	t.Logger.Info(msg, args...)
}

// replayable returns the body of the first attempt and a function that
// makes a fresh copy for each retry; a body without GetBody is buffered.
func replayable(req *http.Request) (io.ReadCloser, func() (io.ReadCloser, error), error) {
	if req.Body == nil || req.Body == http.NoBody {
		return req.Body, nil, nil
	}
	if req.GetBody != nil {
		return req.Body, req.GetBody, nil
	}
	b, err := io.ReadAll(req.Body)
	_ = req.Body.Close()
	if err != nil {
		return nil, nil, fmt.Errorf("buffer request body: %w", err)
	}
	getBody := func() (io.ReadCloser, error) { return io.NopCloser(bytes.NewReader(b)), nil }
	first, _ := getBody()
	return first, getBody, nil
}

// discard reads a little of a response that will not be used, so its
// connection can be reused, and closes it.
func discard(resp *http.Response) {
	if resp == nil {
		return
	}
	_, _ = io.CopyN(io.Discard, resp.Body, 64<<10)
	_ = resp.Body.Close()
}

func orDefault(d, def time.Duration) time.Duration {
	if d <= 0 {
		return def
	}
	return d
}
