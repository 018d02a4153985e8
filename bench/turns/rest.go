package main

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"time"
)

// restClient speaks the runtime's /api/v1/calls contract (from
// bench/callload, with history and /metrics added).
type restClient struct {
	base string
	http *http.Client
}

func newRESTClient(base string, conns int) *restClient {
	tr := http.DefaultTransport.(*http.Transport).Clone()
	tr.MaxIdleConnsPerHost = conns
	return &restClient{base: base, http: &http.Client{Transport: tr, Timeout: 30 * time.Second}}
}

// callInfo is the part of a call the load generator uses.
type callInfo struct {
	ID        string `json:"id"`
	SessionID string `json:"sessionId"`
	Status    string `json:"status"`
}

// apiError is the {success:false, error:{code,message}} envelope.
type apiError struct {
	Status  int
	Code    string `json:"code"`
	Message string `json:"message"`
}

func (e *apiError) Error() string {
	return fmt.Sprintf("HTTP %d %s: %s", e.Status, e.Code, e.Message)
}

// do sends a JSON request and decodes data.call of the envelope.
func (r *restClient) do(ctx context.Context, method, path string, body any) (*callInfo, error) {
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
			Call *callInfo `json:"call"`
		} `json:"data"`
		Error *apiError `json:"error"`
	}
	if err := json.NewDecoder(io.LimitReader(resp.Body, 1<<20)).Decode(&env); err != nil {
		return nil, fmt.Errorf("%s %s: HTTP %d: %w", method, path, resp.StatusCode, err)
	}
	if !env.Success || resp.StatusCode >= 300 {
		e := env.Error
		if e == nil {
			e = &apiError{Code: "UNKNOWN"}
		}
		e.Status = resp.StatusCode
		return nil, fmt.Errorf("%s %s: %w", method, path, e)
	}
	if env.Data.Call == nil {
		return nil, fmt.Errorf("%s %s: no data.call in the response", method, path)
	}
	return env.Data.Call, nil
}

// create starts a call answered by agent (empty: the default agent).
func (r *restClient) create(ctx context.Context, caller, agent string) (*callInfo, error) {
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

func (r *restClient) connect(ctx context.Context, id string) (*callInfo, error) {
	return r.do(ctx, http.MethodPost, "/api/v1/calls/"+id+"/connect", nil)
}

func (r *restClient) end(ctx context.Context, id string) (*callInfo, error) {
	return r.do(ctx, http.MethodPost, "/api/v1/calls/"+id+"/end", nil)
}

// ready polls GET /readyz until it answers 200.
func (r *restClient) ready(ctx context.Context, timeout time.Duration) error {
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

// historyTurn is the part of a stored turn the benchmarks read.
type historyTurn struct {
	Role        string `json:"role"`
	Interrupted bool   `json:"interrupted"`
	Timings     *struct {
		SpeechEndedAt     string   `json:"speechEndedAt"`
		STTFinalMs        *float64 `json:"sttFinalMs"`
		ChatFirstTokenMs  *float64 `json:"chatFirstTokenMs"`
		TTSFirstAudioMs   *float64 `json:"ttsFirstAudioMs"`
		FirstPacketAt     string   `json:"firstPacketAt"`
		RuntimeOverheadMs *float64 `json:"runtimeOverheadMs"`
	} `json:"timings"`
}

// history returns the stored turns of call id.
func (r *restClient) history(ctx context.Context, id string) ([]historyTurn, error) {
	var env struct {
		Data struct {
			Turns []historyTurn `json:"turns"`
		} `json:"data"`
	}
	if err := r.getJSON(ctx, "/api/v1/calls/"+id+"/history", &env); err != nil {
		return nil, err
	}
	return env.Data.Turns, nil
}

// getJSON decodes the body of GET path into v.
func (r *restClient) getJSON(ctx context.Context, path string, v any) error {
	body, err := r.get(ctx, path)
	if err != nil {
		return err
	}
	if err := json.Unmarshal(body, v); err != nil {
		return fmt.Errorf("GET %s: %w", path, err)
	}
	return nil
}

// get returns the body of GET path, failing on a status other than 200.
func (r *restClient) get(ctx context.Context, path string) ([]byte, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, r.base+path, nil)
	if err != nil {
		return nil, err
	}
	resp, err := r.http.Do(req)
	if err != nil {
		return nil, fmt.Errorf("GET %s: %w", path, err)
	}
	defer func() { _ = resp.Body.Close() }()
	body, err := io.ReadAll(io.LimitReader(resp.Body, 16<<20))
	if err != nil {
		return nil, fmt.Errorf("GET %s: %w", path, err)
	}
	if resp.StatusCode != http.StatusOK {
		return nil, fmt.Errorf("GET %s: HTTP %d", path, resp.StatusCode)
	}
	return body, nil
}
