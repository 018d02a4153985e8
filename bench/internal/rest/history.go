package rest

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
)

// HistoryTurn is the part of a stored turn the benchmarks read.
type HistoryTurn struct {
	Role        string `json:"role"`
	Text        string `json:"text"`
	Interrupted bool   `json:"interrupted"`
	StartedAt   string `json:"startedAt"`
	EndedAt     string `json:"endedAt"`
	Timings     *struct {
		SpeechEndedAt     string   `json:"speechEndedAt"`
		STTFinalMs        *float64 `json:"sttFinalMs"`
		ChatFirstTokenMs  *float64 `json:"chatFirstTokenMs"`
		TTSFirstAudioMs   *float64 `json:"ttsFirstAudioMs"`
		FirstPacketAt     string   `json:"firstPacketAt"`
		RuntimeOverheadMs *float64 `json:"runtimeOverheadMs"`
		EndOfTurnWaitMs   *float64 `json:"endOfTurnWaitMs"`
	} `json:"timings"`
}

// History returns the stored turns of call id.
func (r *Client) History(ctx context.Context, id string) ([]HistoryTurn, error) {
	var env struct {
		Data struct {
			Turns []HistoryTurn `json:"turns"`
		} `json:"data"`
	}
	if err := r.GetJSON(ctx, "/api/v1/calls/"+id+"/history", &env); err != nil {
		return nil, err
	}
	return env.Data.Turns, nil
}

// GetJSON decodes the body of GET path into v.
func (r *Client) GetJSON(ctx context.Context, path string, v any) error {
	body, err := r.Get(ctx, path)
	if err != nil {
		return err
	}
	if err := json.Unmarshal(body, v); err != nil {
		return fmt.Errorf("GET %s: %w", path, err)
	}
	return nil
}

// Get returns the body of GET path, failing on a status other than 200.
func (r *Client) Get(ctx context.Context, path string) ([]byte, error) {
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
