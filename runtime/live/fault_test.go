package live

import (
	"context"
	"errors"
	"io"
	"math"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/parleyhq/parley/runtime/call"
	"github.com/parleyhq/parley/runtime/fault"
	"github.com/parleyhq/parley/runtime/pcm"
	"github.com/parleyhq/parley/runtime/signaling"
)

// scrape returns the harness's /metrics text.
func (h *harness) scrape() string {
	rec := httptest.NewRecorder()
	h.metrics.Handler().ServeHTTP(rec, httptest.NewRequest("GET", "/metrics", nil))
	b, _ := io.ReadAll(rec.Body)
	return string(b)
}

// speakAudioData sends 100 ms of tone as audio-data.
func speakAudioData(t *testing.T, h *harness, p signaling.Peer) error {
	t.Helper()
	samples := make([]int16, 1600)
	for j := range samples {
		samples[j] = int16(8000 * math.Sin(2*math.Pi*300*float64(j)/16000))
	}
	return h.m.Audio(p, signaling.AudioData{PCM: pcm.Audio{Samples: samples, Rate: 16000}})
}

// TestPanicFailsOnlyItsCall injects a bug into one call's conversation: a
// panic on its first caller frame. That call ends FAILED with reason
// "internal error", the panic is counted, and another call in progress
// goes on hearing its caller.
func TestPanicFailsOnlyItsCall(t *testing.T) {
	h := newHarness(t, defaultCfg)
	good, goodPeer, _ := h.newCall("good")
	bad, badPeer, _ := h.newCall("bad")
	h.convs.panicIn.Store(&bad.ID)

	if err := speakAudioData(t, h, goodPeer); err != nil {
		t.Fatal(err)
	}
	h.status(good.ID, call.StatusInProgress)
	_ = speakAudioData(t, h, badPeer) // the panic happens inside, on this goroutine
	got := h.status(bad.ID, call.StatusFailed)
	if got.EndReason != fault.ReasonInternalError {
		t.Errorf("reason %q, want %q", got.EndReason, fault.ReasonInternalError)
	}
	if !strings.Contains(h.scrape(), `parley_panics_total{component="live"} 1`) {
		t.Errorf("the panic is not counted:\n%s", grep(h.scrape(), "parley_panics_total"))
	}
	eventually(t, func() bool { return h.m.Active() == 1 }, "the failed call freed, the other kept")

	// The other call goes on.
	before := h.convs.frames.Load()
	if err := speakAudioData(t, h, goodPeer); err != nil {
		t.Fatal(err)
	}
	eventually(t, func() bool { return h.convs.frames.Load() >= before+5 }, "frames of the good call after the panic")
	if c, err := h.calls.Get(context.Background(), good.ID); err != nil || c.Status != call.StatusInProgress {
		t.Fatalf("the good call: %v, %v", c, err)
	}
}

func grep(text, word string) string {
	var out []string
	for _, l := range strings.Split(text, "\n") {
		if strings.Contains(l, word) {
			out = append(out, l)
		}
	}
	return strings.Join(out, "\n")
}

// TestReaperFreesSessionsWithoutMedia: a session made by a candidate that
// no offer follows is reaped after the ring timeout: its call fails with
// "no answer" and nothing of it stays in the Manager.
func TestReaperFreesSessionsWithoutMedia(t *testing.T) {
	cfg := defaultCfg
	cfg.RingTimeout = 300 * time.Millisecond
	h := newHarness(t, cfg)
	c, peer, _ := h.newCall("early")
	err := h.m.Candidate(peer, map[string]any{"candidate": "candidate:1 1 udp 2130706431 127.0.0.1 50000 typ host", "sdpMid": "0", "sdpMLineIndex": float64(0)})
	if err != nil {
		t.Fatal(err)
	}
	if h.m.Active() != 1 {
		t.Fatalf("%d sessions after the candidate", h.m.Active())
	}
	got := h.status(c.ID, call.StatusFailed)
	if got.EndReason != call.ReasonNoAnswer {
		t.Errorf("reason %q, want %q", got.EndReason, call.ReasonNoAnswer)
	}
	eventually(t, func() bool { return h.m.Active() == 0 }, "the session reaped")
}

// TestPanicInAnEventIsRefused: a panic while handling a client's event
// (here: the conversation's start on the first audio-data) refuses the
// event with INTERNAL and fails the call; the process goes on.
func TestPanicInAnEventIsRefused(t *testing.T) {
	h := newHarness(t, defaultCfg)
	c, peer, _ := h.newCall("p")
	h.convs.startPanicIn.Store(&c.ID)
	err := speakAudioData(t, h, peer)
	var se *signaling.Error
	if !errors.As(err, &se) || se.Code != signaling.CodeInternal {
		t.Fatalf("audio-data answered %v, want INTERNAL", err)
	}
	got := h.status(c.ID, call.StatusFailed)
	if got.EndReason != fault.ReasonInternalError {
		t.Errorf("reason %q", got.EndReason)
	}
	eventually(t, func() bool { return h.m.Active() == 0 }, "the session freed")
}
