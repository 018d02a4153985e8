package oaifake

import (
	"encoding/json"
	"net/http"
	"strconv"
	"time"
)

// Error answers with status and OpenAI's error body:
// {"error": {"message", "type", "param", "code"}}.
func Error(status int, message, typ, code string) Handler {
	return func(w http.ResponseWriter, _ *http.Request, _ *Request) {
		writeError(w, status, message, typ, code)
	}
}

// Unauthorized is OpenAI's answer to a wrong key; message is its text
// (OpenAI quotes the key, masked).
func Unauthorized(message string) Handler {
	return Error(http.StatusUnauthorized, message, "invalid_request_error", "invalid_api_key")
}

// RateLimited is a 429 with a Retry-After header (omitted when empty).
func RateLimited(retryAfter string) Handler {
	return func(w http.ResponseWriter, _ *http.Request, _ *Request) {
		if retryAfter != "" {
			w.Header().Set("Retry-After", retryAfter)
		}
		writeError(w, http.StatusTooManyRequests, "Rate limit reached for requests", "requests", "rate_limit_exceeded")
	}
}

// ServerError is a 500 with OpenAI's error body.
func ServerError() Handler {
	return Error(http.StatusInternalServerError, "The server had an error while processing your request. Sorry about that!", "server_error", "")
}

// Slow waits d before answering with next; it returns at once when the
// client goes away first.
func Slow(d time.Duration, next Handler) Handler {
	return func(w http.ResponseWriter, r *http.Request, req *Request) {
		if pause(r, d) {
			next(w, r, req)
		}
	}
}

// Raw answers status with a body of the given content type.
func Raw(status int, contentType, body string) Handler {
	return func(w http.ResponseWriter, _ *http.Request, _ *Request) {
		w.Header().Set("Content-Type", contentType)
		w.WriteHeader(status)
		_, _ = w.Write([]byte(body))
	}
}

func writeError(w http.ResponseWriter, status int, message, typ, code string) {
	var c any
	if code != "" {
		c = code
	}
	writeJSON(w, status, map[string]any{"error": map[string]any{"message": message, "type": typ, "param": nil, "code": c}})
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	b, _ := json.Marshal(v)
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("Content-Length", strconv.Itoa(len(b)))
	w.WriteHeader(status)
	_, _ = w.Write(b)
}

// pause waits d; false when the client went away first.
func pause(r *http.Request, d time.Duration) bool {
	if d <= 0 {
		return r.Context().Err() == nil
	}
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
		return true
	case <-r.Context().Done():
		return false
	}
}
