package api

import (
	"bytes"
	"context"
	"errors"
	"mime/multipart"
	"net/http"
	"net/http/httptest"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/parleyhq/parley/runtime/agent"
	"github.com/parleyhq/parley/runtime/audio"
	"github.com/parleyhq/parley/runtime/config"
	"github.com/parleyhq/parley/runtime/pcm"
	"github.com/parleyhq/parley/runtime/provider"
	"github.com/parleyhq/parley/runtime/provider/host"
)

// TestCallCapacity fills the call cap with many requests at once: exactly
// the cap is created, the others get 503 CAPACITY_EXCEEDED with
// Retry-After, and ending a call makes room for one more.
func TestCallCapacity(t *testing.T) {
	const limit = 4
	h := newHarness(t, func(c *config.Config) { c.Admission.MaxCalls = limit })
	var (
		mu      sync.Mutex
		created []string
		refused []response
		wg      sync.WaitGroup
	)
	for range 24 {
		wg.Go(func() {
			r := h.json(t, http.MethodPost, "/api/v1/calls", `{"callerNumber":"010-1234-5678"}`)
			mu.Lock()
			defer mu.Unlock()
			if r.Status == http.StatusCreated {
				created = append(created, r.data("call", "id").(string))
				return
			}
			refused = append(refused, r)
		})
	}
	wg.Wait()
	require.Len(t, created, limit)
	require.Len(t, refused, 24-limit)
	for _, r := range refused {
		requireError(t, r, http.StatusServiceUnavailable, CodeCapacity, "cap of 4 calls")
		require.Equal(t, "5", r.Header.Get("Retry-After"))
	}
	require.Equal(t, limit, h.countCalls(t), "nothing half-written for refused calls")

	r := h.json(t, http.MethodPost, "/api/v1/calls/"+created[0]+"/end", "")
	require.Equal(t, http.StatusOK, r.Status, "body: %s", r.Raw)
	require.Equal(t, http.StatusCreated, h.json(t, http.MethodPost, "/api/v1/calls", `{"callerNumber":"010-1234-5678"}`).Status)
	requireError(t, h.json(t, http.MethodPost, "/api/v1/calls", `{"callerNumber":"010-1234-5678"}`),
		http.StatusServiceUnavailable, CodeCapacity, "PARLEY_MAX_CALLS")
}

func TestDrainingRefusesCallsAndIsNotReady(t *testing.T) {
	h := newHarness(t)
	require.Equal(t, http.StatusOK, h.do(t, http.MethodGet, "/readyz", "", nil).Status)
	live := h.newCall(t)
	h.calls.Drain()
	r := h.do(t, http.MethodGet, "/readyz", "", nil)
	requireError(t, r, http.StatusServiceUnavailable, "NOT_READY", "shutting down")
	r = h.json(t, http.MethodPost, "/api/v1/calls", `{"callerNumber":"010-1234-5678"}`)
	requireError(t, r, http.StatusServiceUnavailable, CodeShuttingDown, "shutting down")
	require.NotEmpty(t, r.Header.Get("Retry-After"))
	// Calls already started go on.
	r = h.json(t, http.MethodPost, "/api/v1/calls/"+live["id"].(string)+"/connect", "")
	require.Equal(t, http.StatusOK, r.Status, "body: %s", r.Raw)
}

// blockingSTT holds every transcription until released, so a test can
// keep conversation/process requests in flight.
type blockingSTT struct {
	provider.STT
	entered chan struct{}
	release chan struct{}
}

func (b *blockingSTT) Transcribe(ctx context.Context, _ provider.TranscribeRequest) (provider.Transcript, error) {
	b.entered <- struct{}{}
	select {
	case <-b.release:
		return provider.Transcript{}, errors.New("released")
	case <-ctx.Done():
		return provider.Transcript{}, ctx.Err()
	}
}

type blockingProviders struct{ stt *blockingSTT }

func (p blockingProviders) For(*agent.Spec) (host.Providers, error) {
	return host.Providers{STT: p.stt}, nil
}

// TestProcessInFlightLimit keeps PARLEY_MAX_PROCESSING requests in flight:
// the next one is refused at once with 503 and Retry-After, and once they
// finish a new one is taken.
func TestProcessInFlightLimit(t *testing.T) {
	stt := &blockingSTT{entered: make(chan struct{}, 8), release: make(chan struct{})}
	h := newHarnessWith(t, blockingProviders{stt}, func(c *config.Config) { c.Admission.MaxProcessing = 2 })
	id := h.newCall(t)["id"].(string)
	upload := func() response {
		var body bytes.Buffer
		w := multipart.NewWriter(&body)
		require.NoError(t, w.WriteField("callId", id))
		fw, err := w.CreateFormFile("audio", "a.wav")
		require.NoError(t, err)
		_, _ = fw.Write(audio.EncodeWAV(pcm.Audio{Samples: make([]int16, 1600), Rate: 16000}))
		require.NoError(t, w.Close())
		req := httptest.NewRequest(http.MethodPost, "/api/v1/calls/conversation/process", &body)
		req.Header.Set("Content-Type", w.FormDataContentType())
		res, err := h.app.Test(req, -1)
		require.NoError(t, err)
		defer res.Body.Close()
		return response{Status: res.StatusCode, Header: res.Header}
	}
	done := make(chan response, 2)
	for range 2 {
		go func() { done <- upload() }()
	}
	for range 2 {
		select {
		case <-stt.entered:
		case <-time.After(10 * time.Second):
			t.Fatal("the first two requests did not reach speech-to-text")
		}
	}
	var body bytes.Buffer
	w := multipart.NewWriter(&body)
	require.NoError(t, w.WriteField("callId", id))
	require.NoError(t, w.Close())
	r := h.do(t, http.MethodPost, "/api/v1/calls/conversation/process", w.FormDataContentType(), body.Bytes())
	requireError(t, r, http.StatusServiceUnavailable, CodeCapacity, "PARLEY_MAX_PROCESSING")
	require.Equal(t, "2", r.Header.Get("Retry-After"))

	close(stt.release)
	for range 2 {
		require.NotEqual(t, http.StatusServiceUnavailable, (<-done).Status)
	}
	// Both slots are free again: a request gets past the limit (and is
	// refused for its own reason).
	r = h.do(t, http.MethodPost, "/api/v1/calls/conversation/process", w.FormDataContentType(), body.Bytes())
	requireError(t, r, http.StatusBadRequest, CodeValidation, "audio: is required")
}
