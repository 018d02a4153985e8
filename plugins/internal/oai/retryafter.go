package oai

import (
	"math/rand/v2"
	"net/http"
	"strconv"
	"strings"
	"time"
)

// retryAfter reads how long the server asks the client to wait: OpenAI's
// retry-after-ms, or the standard Retry-After in seconds or as an HTTP date.
func retryAfter(h http.Header, now time.Time) (time.Duration, bool) {
	if v := strings.TrimSpace(h.Get("Retry-After-Ms")); v != "" {
		if ms, err := strconv.ParseFloat(v, 64); err == nil && ms >= 0 {
			return time.Duration(ms * float64(time.Millisecond)), true
		}
	}
	v := strings.TrimSpace(h.Get("Retry-After"))
	if v == "" {
		return 0, false
	}
	if s, err := strconv.ParseFloat(v, 64); err == nil {
		if s < 0 {
			return 0, false
		}
		return time.Duration(s * float64(time.Second)), true
	}
	if at, err := http.ParseTime(v); err == nil {
		return max(at.Sub(now), 0), true
	}
	return 0, false
}

// backoff is the wait before retry n+1: a uniformly random duration up to
// base*2^n, capped at ceiling ("full jitter").
func backoff(n int, base, ceiling time.Duration) time.Duration {
	limit := ceiling
	if n < 30 && base<<n < ceiling {
		limit = base << n
	}
	if limit <= 0 {
		return 0
	}
	return rand.N(limit + 1)
}
