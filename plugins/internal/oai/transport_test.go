package oai_test

import (
	"context"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/parleyhq/parley/plugins/internal/oai"
	"github.com/parleyhq/parley/runtime/provider"
)

// scripted serves the statuses in order (then 200), echoing the request body.
func scripted(t *testing.T, retryAfter string, statuses ...int) (*httptest.Server, *atomic.Int32, *[]string) {
	t.Helper()
	var n atomic.Int32
	var mu sync.Mutex
	var bodies []string
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		b, _ := io.ReadAll(r.Body)
		mu.Lock()
		bodies = append(bodies, string(b))
		mu.Unlock()
		i := int(n.Add(1)) - 1
		if i < len(statuses) {
			if retryAfter != "" {
				w.Header().Set("Retry-After", retryAfter)
			}
			w.WriteHeader(statuses[i])
			return
		}
		_, _ = w.Write(b)
	}))
	t.Cleanup(srv.Close)
	return srv, &n, &bodies
}

func transport(maxRetries int, timeout time.Duration) *oai.Transport {
	base := http.DefaultTransport.(*http.Transport).Clone()
	return &oai.Transport{Base: base, MaxRetries: maxRetries, Timeout: timeout, Backoff: 10 * time.Millisecond}
}

func post(t *testing.T, ctx context.Context, tr *oai.Transport, url string) (*http.Response, error) {
	t.Helper()
	defer tr.Base.(*http.Transport).CloseIdleConnections()
	// A body without GetBody: the transport must buffer it to replay it.
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, url, io.NopCloser(strings.NewReader("payload")))
	require.NoError(t, err)
	require.Nil(t, req.GetBody)
	resp, err := tr.RoundTrip(req)
	if err == nil {
		t.Cleanup(func() { _ = resp.Body.Close() })
	}
	return resp, err
}

func TestRetriesReplayTheBody(t *testing.T) {
	srv, n, bodies := scripted(t, "", 503, 429, 500)
	resp, err := post(t, t.Context(), transport(3, time.Second), srv.URL)
	require.NoError(t, err)
	require.Equal(t, 200, resp.StatusCode)
	b, _ := io.ReadAll(resp.Body)
	assert.Equal(t, "payload", string(b))
	assert.EqualValues(t, 4, n.Load())
	assert.Equal(t, []string{"payload", "payload", "payload", "payload"}, *bodies)
}

func TestRetriesRunOut(t *testing.T) {
	srv, n, _ := scripted(t, "", 500, 500, 500, 500)
	resp, err := post(t, t.Context(), transport(2, time.Second), srv.URL)
	require.NoError(t, err)
	assert.Equal(t, 500, resp.StatusCode, "the last answer is returned")
	assert.EqualValues(t, 3, n.Load())
}

func TestOtherStatusesAreNotRetried(t *testing.T) {
	for _, status := range []int{400, 401, 403, 404, 422, 501} {
		srv, n, _ := scripted(t, "", status)
		resp, err := post(t, t.Context(), transport(3, time.Second), srv.URL)
		require.NoError(t, err)
		assert.Equal(t, status, resp.StatusCode)
		assert.EqualValues(t, 1, n.Load(), "status %d", status)
	}
}

func TestRetryAfterIsCapped(t *testing.T) {
	srv, n, _ := scripted(t, "30", 429)
	tr := transport(1, time.Second)
	tr.MaxRetryAfter = 100 * time.Millisecond
	start := time.Now()
	resp, err := post(t, t.Context(), tr, srv.URL)
	require.NoError(t, err)
	assert.Equal(t, 200, resp.StatusCode)
	assert.EqualValues(t, 2, n.Load())
	assert.GreaterOrEqual(t, time.Since(start), 100*time.Millisecond)
	assert.Less(t, time.Since(start), time.Second)
}

func TestNoWaitPastTheDeadline(t *testing.T) {
	srv, n, _ := scripted(t, "5", 429)
	ctx, cancel := context.WithTimeout(t.Context(), 2*time.Second)
	defer cancel()
	start := time.Now()
	resp, err := post(t, ctx, transport(3, time.Second), srv.URL)
	require.NoError(t, err, "waiting would have ended in the context's error")
	assert.Equal(t, 429, resp.StatusCode)
	assert.EqualValues(t, 1, n.Load())
	assert.Less(t, time.Since(start), time.Second)
}

func TestCancelDuringTheWait(t *testing.T) {
	srv, _, _ := scripted(t, "10", 429)
	ctx, cancel := context.WithCancel(t.Context())
	time.AfterFunc(100*time.Millisecond, cancel)
	start := time.Now()
	_, err := post(t, ctx, transport(3, time.Second), srv.URL)
	require.ErrorIs(t, err, context.Canceled)
	assert.Less(t, time.Since(start), time.Second)
}

func TestConnectionErrorsAreRetried(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	var accepted atomic.Int32
	done := make(chan struct{})
	go func() {
		defer close(done)
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			accepted.Add(1)
			_ = c.Close()
		}
	}()
	_, err = post(t, t.Context(), transport(2, time.Second), "http://"+ln.Addr().String())
	require.Error(t, err)
	_ = ln.Close()
	<-done
	assert.EqualValues(t, 3, accepted.Load())
}

func TestTimeouts(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		f := w.(http.Flusher)
		switch r.URL.Path {
		case "/slow":
			<-r.Context().Done()
		case "/steady", "/stall":
			gap := 60 * time.Millisecond
			if r.URL.Path == "/stall" {
				gap = 5 * time.Second
			}
			for i := range 8 {
				if i > 0 {
					select {
					case <-time.After(gap):
					case <-r.Context().Done():
						return
					}
				}
				_, _ = w.Write([]byte("data "))
				f.Flush()
			}
		}
	}))
	t.Cleanup(srv.Close)
	var attempts atomic.Int32
	counting := roundTripFunc(func(r *http.Request) (*http.Response, error) {
		attempts.Add(1)
		return http.DefaultTransport.RoundTrip(r)
	})
	tr := &oai.Transport{Base: counting, MaxRetries: 3, Timeout: 150 * time.Millisecond}

	t.Run("no headers in time: not retried", func(t *testing.T) {
		attempts.Store(0)
		start := time.Now()
		req, _ := http.NewRequestWithContext(t.Context(), http.MethodGet, srv.URL+"/slow", nil)
		_, err := tr.RoundTrip(req)
		require.ErrorIs(t, err, provider.ErrTimeout)
		assert.EqualValues(t, 1, attempts.Load())
		assert.Less(t, time.Since(start), time.Second)
	})
	t.Run("a steady body may take longer than the timeout", func(t *testing.T) {
		req, _ := http.NewRequestWithContext(t.Context(), http.MethodGet, srv.URL+"/steady", nil)
		resp, err := tr.RoundTrip(req)
		require.NoError(t, err)
		defer resp.Body.Close()
		b, err := io.ReadAll(resp.Body)
		require.NoError(t, err)
		assert.Len(t, b, 40)
	})
	t.Run("a stalled body times out", func(t *testing.T) {
		req, _ := http.NewRequestWithContext(t.Context(), http.MethodGet, srv.URL+"/stall", nil)
		resp, err := tr.RoundTrip(req)
		require.NoError(t, err)
		defer resp.Body.Close()
		start := time.Now()
		_, err = io.ReadAll(resp.Body)
		require.ErrorIs(t, err, provider.ErrTimeout)
		assert.Less(t, time.Since(start), time.Second)
	})
	http.DefaultTransport.(*http.Transport).CloseIdleConnections()
}

type roundTripFunc func(*http.Request) (*http.Response, error)

func (f roundTripFunc) RoundTrip(r *http.Request) (*http.Response, error) { return f(r) }
