package live

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"net/http/httptest"
	"reflect"
	"strconv"
	"strings"
	"testing"

	"github.com/parleyhq/parley/runtime/call"
	"github.com/parleyhq/parley/runtime/metrics"
	"github.com/parleyhq/parley/runtime/signaling"
)

// callsActive scrapes parley_calls_active for the test agent "t".
func callsActive(t *testing.T, m *metrics.Metrics) float64 {
	t.Helper()
	rec := httptest.NewRecorder()
	m.Handler().ServeHTTP(rec, httptest.NewRequest("GET", "/metrics", nil))
	sc := bufio.NewScanner(rec.Body)
	for sc.Scan() {
		if v, ok := strings.CutPrefix(sc.Text(), `parley_calls_active{agent="t"} `); ok {
			f, err := strconv.ParseFloat(v, 64)
			if err != nil {
				t.Fatal(err)
			}
			return f
		}
	}
	return 0
}

func hostCandidate(i int) map[string]any {
	return map[string]any{"candidate": fmt.Sprintf("candidate:%d 1 udp 2130706431 127.0.0.1 %d typ host", i, 5000+i), "sdpMid": "0", "sdpMLineIndex": 0.0}
}

// TestCandidatesBeforeOfferLeakNothing: a caller that sends candidates but
// no offer, then goes, leaves no session and no live call in the metrics,
// and its call untouched.
func TestCandidatesBeforeOfferLeakNothing(t *testing.T) {
	for _, disconnected := range []bool{true, false} {
		t.Run(fmt.Sprintf("disconnected=%v", disconnected), func(t *testing.T) {
			met := metrics.New()
			cfg := defaultCfg
			cfg.Metrics = met
			h := newHarness(t, cfg)
			c, peer, _ := h.newCall("p")
			for i := range 3 {
				if err := h.m.Candidate(peer, hostCandidate(i)); err != nil {
					t.Fatal(err)
				}
			}
			if got := callsActive(t, met); got != 0 {
				t.Errorf("parley_calls_active = %v with candidates only, want 0", got)
			}
			h.m.Leave(peer, disconnected)
			if n := h.m.Active(); n != 0 {
				t.Fatalf("%d sessions kept after the caller went", n)
			}
			if got := callsActive(t, met); got != 0 {
				t.Errorf("parley_calls_active = %v after the caller went, want 0", got)
			}
			got, err := h.calls.Get(context.Background(), c.ID)
			if err != nil || got.Status != call.StatusRinging {
				t.Errorf("call after candidates only: %v %v, want RINGING", got, err)
			}
		})
	}
}

// TestCandidatesAreCapped: a caller may send MaxCandidates candidates for
// an offer, before and after it together; then TOO_MANY_CANDIDATES.
func TestCandidatesAreCapped(t *testing.T) {
	met := metrics.New()
	cfg := defaultCfg
	cfg.Metrics = met
	h := newHarness(t, cfg)
	c, peer, client := h.newCall("p")
	for i := range MaxCandidates - 1 {
		if err := h.m.Candidate(peer, hostCandidate(i)); err != nil {
			t.Fatalf("candidate %d: %v", i, err)
		}
	}
	caller := newCaller(t, peer, client)
	if err := caller.offer(h.m, false); err != nil {
		t.Fatal(err)
	}
	if got := callsActive(t, met); got != 1 {
		t.Errorf("parley_calls_active = %v with an offer, want 1", got)
	}
	// The offer brought the caller's own candidates too: the cap comes
	// after at most one more of ours.
	var err error
	sent := MaxCandidates - 1
	for ; err == nil && sent <= MaxCandidates; sent++ {
		err = h.m.Candidate(peer, hostCandidate(sent))
	}
	var se *signaling.Error
	if !errors.As(err, &se) || se.Code != signaling.CodeTooManyCandidates {
		t.Fatalf("candidate %d: %v, want %s", sent, err, signaling.CodeTooManyCandidates)
	}
	if _, err := h.calls.End(context.Background(), c.ID, call.ReasonHangup); err != nil {
		t.Fatal(err)
	}
	if got := h.events.endedSessions(); !reflect.DeepEqual(got, []string{c.SessionID}) {
		t.Errorf("signaling told of ended sessions %q, want %q", got, c.SessionID)
	}
	// The teardown, which counts the call finished, follows its removal.
	eventually(t, func() bool { return h.m.Active() == 0 && callsActive(t, met) == 0 }, "session freed, parley_calls_active 0")
}
