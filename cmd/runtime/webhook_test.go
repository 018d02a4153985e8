package main

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/parleyhq/parley/internal/e2e"
)

const hookSecret = "e2e-webhook-signing-secret"

// hookReceiver is an agent owner's endpoint: it checks each request's
// signature and timestamp as docs/webhooks.md says, and counts events by id.
type hookReceiver struct {
	mu     sync.Mutex
	events map[string][]map[string]any // by event id
	bad    []string
}

func (h *hookReceiver) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	body, _ := io.ReadAll(io.LimitReader(r.Body, 1<<20))
	ts := r.Header.Get("X-Parley-Timestamp")
	mac := hmac.New(sha256.New, []byte(hookSecret))
	mac.Write([]byte(ts + "." + string(body)))
	h.mu.Lock()
	defer h.mu.Unlock()
	sec, err := strconv.ParseInt(ts, 10, 64)
	if err != nil || time.Since(time.Unix(sec, 0)).Abs() > 5*time.Minute {
		h.bad = append(h.bad, "stale or missing timestamp "+ts)
		w.WriteHeader(http.StatusBadRequest)
		return
	}
	if !hmac.Equal([]byte(r.Header.Get("X-Parley-Signature")), []byte("v1="+hex.EncodeToString(mac.Sum(nil)))) {
		h.bad = append(h.bad, "bad signature")
		w.WriteHeader(http.StatusUnauthorized)
		return
	}
	var e map[string]any
	if err := json.Unmarshal(body, &e); err != nil {
		h.bad = append(h.bad, "not JSON")
		w.WriteHeader(http.StatusBadRequest)
		return
	}
	id := r.Header.Get("X-Parley-Event-Id")
	h.events[id] = append(h.events[id], e)
	w.WriteHeader(http.StatusNoContent)
}

func (h *hookReceiver) snapshot() (map[string][]map[string]any, []string) {
	h.mu.Lock()
	defer h.mu.Unlock()
	out := map[string][]map[string]any{}
	for k, v := range h.events {
		out[k] = append([]map[string]any(nil), v...)
	}
	return out, append([]string(nil), h.bad...)
}

// listenHooks serves a hookReceiver on addr until the test ends and
// returns it with its URL.
func listenHooks(t *testing.T, addr string) (*hookReceiver, string) {
	t.Helper()
	recv := &hookReceiver{events: map[string][]map[string]any{}}
	ln, err := net.Listen("tcp", addr)
	require.NoError(t, err)
	srv := &http.Server{Handler: recv, ReadHeaderTimeout: 5 * time.Second}
	go func() { _ = srv.Serve(ln) }()
	t.Cleanup(func() { _ = srv.Close() })
	return recv, "http://" + ln.Addr().String() + "/hook"
}

// hookedAgents writes an agents directory: the repository's default agent
// with a webhook to url, and an agent whose secret_env is unset.
func hookedAgents(t *testing.T, url string) string {
	t.Helper()
	dir := t.TempDir()
	def, err := os.ReadFile(filepath.Join(repoAgents(t), "default.yaml"))
	require.NoError(t, err)
	def = append(def, []byte(fmt.Sprintf("webhooks:\n  - url: %s\n    events: [call-started, call-ended]\n    secret_env: PARLEY_E2E_HOOK_SECRET\n    timeout: 2s\n", url))...)
	require.NoError(t, os.WriteFile(filepath.Join(dir, "default.yaml"), def, 0o600))
	other := strings.Replace(string(def), "name: default", "name: unsigned", 1)
	other = strings.Replace(other, "PARLEY_E2E_HOOK_SECRET", "PARLEY_E2E_UNSET_SECRET", 1)
	require.NoError(t, os.WriteFile(filepath.Join(dir, "unsigned.yaml"), []byte(other), 0o600))
	return dir
}

// TestWebhookSurvivesSIGKILL: a call ends while its webhook endpoint is
// down; the runtime is SIGKILLed before it could deliver; after a restart
// with the endpoint up, the call-ended report arrives exactly once. A call
// the kill left ringing is reported FAILED (runtime restart) too.
func TestWebhookSurvivesSIGKILL(t *testing.T) {
	port := e2e.FreePort(t) // nothing listens yet: the endpoint is down
	url := fmt.Sprintf("http://127.0.0.1:%d/hook", port)
	env := []string{"PARLEY_AGENTS_DIR=" + hookedAgents(t, url), "PARLEY_E2E_HOOK_SECRET=" + hookSecret}
	data := t.TempDir()
	p := start(t, data, env...)

	// The agent whose secret is unset is unavailable, with file, key and line.
	var unsigned map[string]any
	for _, a := range p.call(t, http.MethodGet, "/api/v1/agents", "")["agents"].([]any) {
		if a.(map[string]any)["name"] == "unsigned" {
			unsigned = a.(map[string]any)
		}
	}
	require.NotNil(t, unsigned)
	require.Equal(t, "unavailable", unsigned["status"])
	require.Regexp(t, `unsigned\.yaml:\d+: webhooks\[0\]\.secret_env: environment variable PARLEY_E2E_UNSET_SECRET`, fmt.Sprint(unsigned["errors"]))

	// An agent call made over REST and ended before any media: it never
	// started, so only call-ended is due.
	c := p.call(t, http.MethodPost, "/api/v1/calls", `{"callerNumber":"010-1234-5678"}`)["call"].(map[string]any)
	id := c["id"].(string)
	p.call(t, http.MethodPost, "/api/v1/calls/"+id+"/end", "")
	var pending map[string]any
	require.Eventually(t, func() bool {
		ds := p.call(t, http.MethodGet, "/api/v1/webhooks/deliveries?status=pending", "")["deliveries"].([]any)
		if len(ds) != 1 {
			return false
		}
		pending = ds[0].(map[string]any)
		return pending["attempts"].(float64) >= 1
	}, 20*time.Second, 50*time.Millisecond)
	require.Equal(t, "call-ended", pending["event"])
	require.Equal(t, id, pending["callId"])
	require.Contains(t, pending["lastError"], "refused")

	// A call the kill leaves ringing: the next start fails it and reports it.
	left := p.call(t, http.MethodPost, "/api/v1/calls", `{"callerNumber":"010-2222-3333"}`)["call"].(map[string]any)["id"].(string)

	require.NoError(t, p.Signal(syscall.SIGKILL))
	_ = p.Wait()

	recv, _ := listenHooks(t, fmt.Sprintf("127.0.0.1:%d", port))

	p = start(t, data, env...)
	require.Eventually(t, func() bool {
		d := p.call(t, http.MethodGet, "/api/v1/webhooks/deliveries?status=delivered", "")
		return d["pagination"].(map[string]any)["total"].(float64) == 2
	}, 30*time.Second, 50*time.Millisecond, "log:\n%s", p.logs)

	events, bad := recv.snapshot()
	require.Empty(t, bad)
	require.Len(t, events, 2, "two events")
	got := events[pending["eventId"].(string)]
	require.Len(t, got, 1, "delivered exactly once")
	e := got[0]
	require.Equal(t, "call-ended", e["event"])
	require.Equal(t, pending["eventId"], e["id"])
	require.Equal(t, "default", e["agent"])
	call := e["call"].(map[string]any)
	require.Equal(t, id, call["id"])
	require.Equal(t, "ENDED", call["status"])
	require.Equal(t, "hangup", call["endReason"])
	require.Equal(t, "01012345678", call["callerNumber"])
	require.NotContains(t, call, "connectedAt", "the call never started")
	require.Equal(t, []any{}, e["transcript"])
	require.Equal(t, []any{}, e["toolCalls"])
	require.Equal(t, 0.0, e["durationSeconds"])

	var recovered map[string]any
	for eid, es := range events {
		if eid != pending["eventId"] {
			require.Len(t, es, 1)
			recovered = es[0]
		}
	}
	rc := recovered["call"].(map[string]any)
	require.Equal(t, "call-ended", recovered["event"])
	require.Equal(t, left, rc["id"])
	require.Equal(t, "FAILED", rc["status"])
	require.Equal(t, "runtime restart", rc["endReason"])

	// The failed first attempt and the delivery after the restart are
	// in the metrics of the runtime that made them.
	res, err := http.Get(p.base + "/metrics")
	require.NoError(t, err)
	body, _ := io.ReadAll(res.Body)
	res.Body.Close()
	require.Contains(t, string(body), `parley_webhook_deliveries_total{agent="default",event="call-ended",outcome="delivered"} 2`)
}

// TestWebhookLiveCall: a live WebRTC call to the offline default agent
// sends call-started, then, hung up during the greeting, a call-ended
// report whose transcript has the greeting as played (stored while the
// call's media is torn down, after the status changed).
func TestWebhookLiveCall(t *testing.T) {
	recv, url := listenHooks(t, "127.0.0.1:0")
	p := start(t, t.TempDir(), "PARLEY_WEBRTC_LOOPBACK=true", "PARLEY_AGENTS_DIR="+hookedAgents(t, url), "PARLEY_E2E_HOOK_SECRET="+hookSecret)

	a := dialAgent(t, p)
	sendTone(t, a.mic, 200*time.Millisecond)
	// Hang up as soon as the greeting is heard: its turn is stored
	// (interrupted) only when the conversation closes.
	require.Eventually(t, func() bool { return a.heard.loud() >= 100*time.Millisecond }, 15*time.Second, 5*time.Millisecond)
	p.call(t, http.MethodPost, "/api/v1/calls/"+a.id+"/end", "")

	byEvent := func() map[string]map[string]any {
		events, bad := recv.snapshot()
		require.Empty(t, bad)
		out := map[string]map[string]any{}
		for _, es := range events {
			require.Len(t, es, 1, "an event delivered twice")
			out[es[0]["event"].(string)] = es[0]
		}
		return out
	}
	require.Eventually(t, func() bool { return len(byEvent()) == 2 }, 30*time.Second, 50*time.Millisecond, "log:\n%s", p.logs)
	got := byEvent()
	started, ended := got["call-started"], got["call-ended"]
	require.Equal(t, a.id, started["call"].(map[string]any)["id"])
	require.Equal(t, "IN_PROGRESS", started["call"].(map[string]any)["status"])
	require.Equal(t, "ENDED", ended["call"].(map[string]any)["status"])
	require.Greater(t, ended["durationSeconds"].(float64), 0.0)
	transcript := ended["transcript"].([]any)
	require.NotEmpty(t, transcript, "the report has no turns: it was built before the call's turns were stored")
	greeting := transcript[0].(map[string]any)
	require.Equal(t, "assistant", greeting["role"])
	require.Contains(t, greeting["text"], "Thank you")
	require.Contains(t, ended, "sentiment")
}

// TestWebhookToolCalled: the default agent's transfer tool, reached through
// conversation/process, is reported by a signed tool-called webhook, and the
// call-ended report lists the call in its transcript.
func TestWebhookToolCalled(t *testing.T) {
	recv, url := listenHooks(t, "127.0.0.1:0")
	dir := hookedAgents(t, url)
	def, err := os.ReadFile(filepath.Join(dir, "default.yaml"))
	require.NoError(t, err)
	def = []byte(strings.Replace(string(def), "events: [call-started, call-ended]", "events: [tool-called, call-ended]", 1))
	require.NoError(t, os.WriteFile(filepath.Join(dir, "default.yaml"), def, 0o600))
	p := start(t, t.TempDir(), "PARLEY_AGENTS_DIR="+dir, "PARLEY_E2E_HOOK_SECRET="+hookSecret)

	c := p.call(t, http.MethodPost, "/api/v1/calls", `{"callerNumber":"01012345678"}`)["call"].(map[string]any)
	id := c["id"].(string)
	speech, err := os.ReadFile(e2e.FliteWAV(t, "I want to talk to someone.", 300*time.Millisecond, 300*time.Millisecond))
	require.NoError(t, err)
	status, res := p.upload(t, id, speech)
	require.Equal(t, http.StatusOK, status, "%v", res)
	conv := res["data"].(map[string]any)["conversation"].(map[string]any)
	require.Equal(t, "+15555550100", conv["transferTo"])
	require.Len(t, conv["toolCalls"], 1)

	var called, ended map[string]any
	require.Eventually(t, func() bool {
		events, bad := recv.snapshot()
		require.Empty(t, bad)
		for _, es := range events {
			require.Len(t, es, 1, "an event delivered twice")
			switch es[0]["event"] {
			case "tool-called":
				called = es[0]
			case "call-ended":
				ended = es[0]
			}
		}
		return called != nil && ended != nil
	}, 30*time.Second, 50*time.Millisecond, "log:\n%s", p.logs)
	tc := called["toolCall"].(map[string]any)
	require.Equal(t, "transfer_to_team", tc["name"])
	require.Contains(t, tc["result"], "+15555550100")
	require.Equal(t, id, called["call"].(map[string]any)["id"])
	require.Equal(t, "transferred", ended["call"].(map[string]any)["endReason"])
	require.Contains(t, fmt.Sprint(ended["toolCalls"]), "transfer_to_team")
}
