// Package rest is a client of the runtime's REST API: the /api/v1/calls
// contract, a call's stored history, /readyz and plain GETs such as
// /metrics.
package rest

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"time"
)

// Client speaks the runtime's /api/v1/calls contract. It is safe for
// concurrent use.
type Client struct {
	base string
	http *http.Client
}

// NewClient is a client of the runtime at base that keeps up to conns idle
// connections to it.
func NewClient(base string, conns int) *Client {
	tr := http.DefaultTransport.(*http.Transport).Clone()
	tr.MaxIdleConnsPerHost = conns
	return &Client{base: base, http: &http.Client{Transport: tr, Timeout: 30 * time.Second}}
}

// Call is the part of a call the load generators use.
type Call struct {
	ID        string `json:"id"`
	SessionID string `json:"sessionId"`
	Status    string `json:"status"`
	EndReason string `json:"endReason"`
}

// APIError is the {success:false, error:{code,message}} envelope.
type APIError struct {
	Status  int
	Code    string `json:"code"`
	Message string `json:"message"`
}

// Error returns the status, code and message.
func (e *APIError) Error() string {
	return fmt.Sprintf("HTTP %d %s: %s", e.Status, e.Code, e.Message)
}

// do sends a JSON request and decodes data.call of the envelope.
func (r *Client) do(ctx context.Context, method, path string, body any) (*Call, error) {
	var rd io.Reader
	if body != nil {
		b, err := json.Marshal(body)
		if err != nil {
			return nil, err
		}
		rd = bytes.NewReader(b)
	}
	req, err := http.NewRequestWithContext(ctx, method, r.base+path, rd)
	if err != nil {
		return nil, err
	}
	if body != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	resp, err := r.http.Do(req)
	if err != nil {
		return nil, fmt.Errorf("%s %s: %w", method, path, err)
	}
	defer func() { _ = resp.Body.Close() }()
	var env struct {
		Success bool `json:"success"`
		Data    struct {
			Call *Call `json:"call"`
		} `json:"data"`
		Error *APIError `json:"error"`
	}
	if err := json.NewDecoder(io.LimitReader(resp.Body, 1<<20)).Decode(&env); err != nil {
		return nil, fmt.Errorf("%s %s: HTTP %d: %w", method, path, resp.StatusCode, err)
	}
	if !env.Success || resp.StatusCode >= 300 {
		e := env.Error
		if e == nil {
			e = &APIError{Code: "UNKNOWN"}
		}
		e.Status = resp.StatusCode
		return nil, fmt.Errorf("%s %s: %w", method, path, e)
	}
	if env.Data.Call == nil {
		return nil, fmt.Errorf("%s %s: no data.call in the response", method, path)
	}
	return env.Data.Call, nil
}

// Create starts a call from caller answered by agent (empty: the default
// agent).
func (r *Client) Create(ctx context.Context, caller, agent string) (*Call, error) {
	body := map[string]string{"callerNumber": caller}
	if agent != "" {
		body["agent"] = agent
	}
	c, err := r.do(ctx, http.MethodPost, "/api/v1/calls", body)
	if err == nil && (c.ID == "" || c.SessionID == "") {
		err = fmt.Errorf("POST /api/v1/calls: call without id or sessionId")
	}
	return c, err
}

// Connect posts /connect for call id, as the browser client does.
func (r *Client) Connect(ctx context.Context, id string) (*Call, error) {
	return r.do(ctx, http.MethodPost, "/api/v1/calls/"+id+"/connect", nil)
}

// Call reads call id.
func (r *Client) Call(ctx context.Context, id string) (*Call, error) {
	return r.do(ctx, http.MethodGet, "/api/v1/calls/"+id, nil)
}

// End ends call id.
func (r *Client) End(ctx context.Context, id string) (*Call, error) {
	return r.do(ctx, http.MethodPost, "/api/v1/calls/"+id+"/end", nil)
}

// Ready polls GET /readyz until it answers 200, for at most timeout.
func (r *Client) Ready(ctx context.Context, timeout time.Duration) error {
	ctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	var last error
	for {
		req, _ := http.NewRequestWithContext(ctx, http.MethodGet, r.base+"/readyz", nil)
		resp, err := r.http.Do(req)
		if err == nil {
			_ = resp.Body.Close()
			if resp.StatusCode == http.StatusOK {
				return nil
			}
			err = fmt.Errorf("HTTP %d", resp.StatusCode)
		}
		last = err
		select {
		case <-ctx.Done():
			return fmt.Errorf("runtime not ready at %s/readyz: %w", r.base, last)
		case <-time.After(100 * time.Millisecond):
		}
	}
}
