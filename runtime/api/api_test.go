package api

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"mime/multipart"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/gofiber/fiber/v2"
	"github.com/stretchr/testify/require"

	"github.com/parleyhq/parley/runtime/agent"
	"github.com/parleyhq/parley/runtime/auth"
	"github.com/parleyhq/parley/runtime/config"
	"github.com/parleyhq/parley/runtime/provider"
	"github.com/parleyhq/parley/runtime/provider/host"
	"github.com/parleyhq/parley/runtime/service"
	"github.com/parleyhq/parley/runtime/store"
	"github.com/parleyhq/parley/runtime/store/sqlite"
	"github.com/parleyhq/parley/runtime/webhook"
)

const offlineAgent = `name: default
language: en
system_prompt: You are helpful.
greeting: Hello!
providers:
  stt: {plugin: pocketsphinx}
  chat: {plugin: scripted}
  tts: {plugin: espeak}
`

const openAIAgent = `name: support-ko
language: ko
system_prompt: 당신은 친절한 고객 서비스 담당자입니다.
providers:
  stt: {plugin: openai-stt}
  chat: {plugin: openai-chat}
  tts: {plugin: openai-tts}
`

// harness is the API over a real SQLite file and a real agent directory.
type harness struct {
	app   *fiber.App
	store *sqlite.Store
	dir   string
	calls *service.Calls
	reg   *agent.Registry
}

func newHarness(t *testing.T, tweak ...func(*config.Config)) *harness {
	t.Helper()
	return newGuardedHarness(t, nil, nil, nil, tweak...)
}

// newHarnessWith is newHarness with conversation/process answered by the
// providers of withConversation.
func newHarnessWith(t *testing.T, withConversation service.ProviderSource, tweak ...func(*config.Config)) *harness {
	t.Helper()
	return newGuardedHarness(t, nil, nil, withConversation, tweak...)
}

// newGuardedHarness is newHarness with a Guard (nil: open mode), a
// Signaling mount (nil: none) and conversation/process providers (nil:
// none, a request that gets as far as a provider fails).
func newGuardedHarness(t *testing.T, g *auth.Guard, sig Mounter, withConversation service.ProviderSource, tweak ...func(*config.Config)) *harness {
	t.Helper()
	cfg, err := config.Load(config.Sources{})
	require.NoError(t, err)
	for _, f := range tweak {
		f(cfg)
	}
	dir := t.TempDir()
	agents := filepath.Join(dir, "agents")
	require.NoError(t, os.MkdirAll(agents, 0o750))
	require.NoError(t, os.WriteFile(filepath.Join(agents, "default.yaml"), []byte(offlineAgent), 0o600))
	require.NoError(t, os.WriteFile(filepath.Join(agents, "support-ko.yaml"), []byte(openAIAgent), 0o600))
	require.NoError(t, os.WriteFile(filepath.Join(agents, "broken.yaml"), []byte("name: broken\nlanguage: french\nprompt: x\n"), 0o600))

	log := slog.New(slog.NewTextHandler(io.Discard, nil))
	reg, err := agent.NewRegistry(agents, "default", agent.WithLogger(log), agent.WithAvailability(host.Availability(false)))
	require.NoError(t, err)
	st, err := sqlite.Open(context.Background(), filepath.Join(dir, "data", "parley.db"))
	require.NoError(t, err)
	t.Cleanup(func() { _ = st.Close() })
	calls := service.NewCalls(st, reg, log, service.WithMaxCalls(cfg.Admission.MaxCalls))
	if withConversation == nil {
		withConversation = noProviders{}
	}
	app := New(Deps{
		Config: cfg, Calls: calls, Agents: reg, Plugins: fixedPlugins{}, Ready: st.Ping, Log: log, Guard: g, Signaling: sig,
		Conversation: service.NewConversation(calls, st, reg, withConversation, nil, log),
		Webhooks:     webhook.NewWorker(st, webhook.Config{}, log),
	})
	return &harness{app: app, store: st, dir: dir, calls: calls, reg: reg}
}

// noProviders has no plugins: requests that get as far as a provider fail
// (real providers are tested in cmd/runtime with real plugin processes).
type noProviders struct{}

func (noProviders) For(*agent.Spec) (host.Providers, error) {
	return host.Providers{}, provider.ErrUnavailable
}

// fixedPlugins stands in for the plugin host, which has its own tests with
// real processes.
type fixedPlugins struct{}

func (fixedPlugins) List() []host.Status {
	return []host.Status{{Name: "scripted", Kinds: []string{"chat"}, Path: "/bin/plugins/scripted", Version: "dev", PID: 42, State: host.StateRestarting, Restarts: 2, LastError: "process exited"}}
}

type response struct {
	Status int
	Header http.Header
	Body   map[string]any
	Raw    []byte
}

// do makes a request through the app; header is name, value pairs.
func (h *harness) do(t *testing.T, method, path, contentType string, body []byte, header ...string) response {
	t.Helper()
	req := httptest.NewRequest(method, path, bytes.NewReader(body))
	if contentType != "" {
		req.Header.Set("Content-Type", contentType)
	}
	for i := 0; i+1 < len(header); i += 2 {
		req.Header.Set(header[i], header[i+1])
	}
	res, err := h.app.Test(req, 10_000)
	require.NoError(t, err)
	defer res.Body.Close()
	raw, err := io.ReadAll(res.Body)
	require.NoError(t, err)
	out := response{Status: res.StatusCode, Header: res.Header, Raw: raw}
	if strings.HasPrefix(res.Header.Get("Content-Type"), "application/json") {
		require.NoError(t, json.Unmarshal(raw, &out.Body), "body: %s", raw)
	}
	return out
}

func (h *harness) json(t *testing.T, method, path, body string) response {
	t.Helper()
	return h.do(t, method, path, "application/json", []byte(body))
}

// data walks the envelope's data by keys.
func (r response) data(keys ...string) any {
	v := r.Body["data"]
	for _, k := range keys {
		m, _ := v.(map[string]any)
		v = m[k]
	}
	return v
}

func requireError(t *testing.T, r response, status int, code, contains string) {
	t.Helper()
	require.Equal(t, status, r.Status, "body: %s", r.Raw)
	require.Equal(t, false, r.Body["success"], "body: %s", r.Raw)
	e, _ := r.Body["error"].(map[string]any)
	require.Equal(t, code, e["code"], "body: %s", r.Raw)
	require.Contains(t, e["message"], contains)
}

func (h *harness) newCall(t *testing.T) map[string]any {
	t.Helper()
	r := h.json(t, http.MethodPost, "/api/v1/calls", `{"callerNumber":"010-1234-5678"}`)
	require.Equal(t, http.StatusCreated, r.Status, "body: %s", r.Raw)
	return r.data("call").(map[string]any)
}

func (h *harness) countCalls(t *testing.T) int {
	t.Helper()
	_, n, err := h.store.Calls(context.Background(), store.CallFilter{Limit: 1})
	require.NoError(t, err)
	return n
}

func TestRTCConfigAsTheOriginal(t *testing.T) {
	h := newHarness(t, func(c *config.Config) { c.STUNServerURL = "stun:stun.example.org:3478" })
	r := h.do(t, http.MethodGet, "/api/v1/calls/config", "", nil)
	require.Equal(t, http.StatusOK, r.Status)
	require.Equal(t, true, r.Body["success"])
	cfg := r.data("config").(map[string]any)
	require.Equal(t, []any{
		map[string]any{"urls": "stun:stun.example.org:3478"},
		map[string]any{"urls": "stun:stun.l.google.com:19302"},
		map[string]any{"urls": "stun:stun1.l.google.com:19302"},
		map[string]any{"urls": "stun:stun2.l.google.com:19302"},
	}, cfg["iceServers"])
	require.EqualValues(t, 10, cfg["iceCandidatePoolSize"])
	require.Equal(t, "all", cfg["iceTransportPolicy"])
	require.Equal(t, "max-bundle", cfg["bundlePolicy"])
	require.Equal(t, "require", cfg["rtcpMuxPolicy"])

	// The default STUN server is not repeated.
	h = newHarness(t)
	r = h.do(t, http.MethodGet, "/api/v1/calls/config", "", nil)
	require.Len(t, r.data("config", "iceServers"), 3)

	// A TURN server comes last, with the credentials a client needs.
	h = newHarness(t, func(c *config.Config) {
		c.WebRTC.TURNURL, c.WebRTC.TURNUsername, c.WebRTC.TURNCredential = "turn:turn.example.org:3478", "u", "p"
	})
	r = h.do(t, http.MethodGet, "/api/v1/calls/config", "", nil)
	servers := r.data("config", "iceServers").([]any)
	require.Len(t, servers, 4)
	require.Equal(t, map[string]any{"urls": "turn:turn.example.org:3478", "username": "u", "credential": "p"}, servers[3])
}

func TestCallLifecycle(t *testing.T) {
	h := newHarness(t)
	c := h.newCall(t)
	require.Equal(t, "RINGING", c["status"])
	require.Equal(t, "01012345678", c["callerNumber"], "normalised as the original shows it")
	require.Equal(t, "default", c["agent"])
	require.Regexp(t, `^[0-9a-f-]{36}$`, c["id"])
	require.GreaterOrEqual(t, len(c["sessionId"].(string)), 22)
	require.Regexp(t, `^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$`, c["createdAt"])
	id := c["id"].(string)

	r := h.do(t, http.MethodGet, "/api/v1/calls/"+id, "", nil)
	require.Equal(t, http.StatusOK, r.Status)
	require.Equal(t, c["sessionId"], r.data("call", "sessionId"))

	r = h.do(t, http.MethodPost, "/api/v1/calls/"+id+"/connect", "", nil)
	require.Equal(t, http.StatusOK, r.Status, "body: %s", r.Raw)
	require.Equal(t, "CONNECTING", r.data("call", "status"))

	// Again: the media may have connected first; the call is unchanged.
	r = h.do(t, http.MethodPost, "/api/v1/calls/"+id+"/connect", "", nil)
	require.Equal(t, http.StatusOK, r.Status, "body: %s", r.Raw)
	require.Equal(t, "CONNECTING", r.data("call", "status"))

	r = h.do(t, http.MethodPost, "/api/v1/calls/"+id+"/end", "", nil)
	require.Equal(t, http.StatusOK, r.Status)
	require.Equal(t, "ENDED", r.data("call", "status"))
	require.Equal(t, "hangup", r.data("call", "endReason"))
	require.NotEmpty(t, r.data("call", "endedAt"))

	requireError(t, h.do(t, http.MethodPost, "/api/v1/calls/"+id+"/end", "", nil),
		http.StatusConflict, CodeInvalidState, "already ENDED")
	requireError(t, h.do(t, http.MethodPost, "/api/v1/calls/"+id+"/connect", "", nil),
		http.StatusConflict, CodeInvalidState, "already ENDED")
}

func TestHangUpRingingCall(t *testing.T) {
	h := newHarness(t)
	id := h.newCall(t)["id"].(string)
	r := h.do(t, http.MethodPost, "/api/v1/calls/"+id+"/end", "", nil)
	require.Equal(t, http.StatusOK, r.Status)
	require.Equal(t, "ENDED", r.data("call", "status"))
}

func TestPersonToPersonCall(t *testing.T) {
	h := newHarness(t)
	r := h.json(t, http.MethodPost, "/api/v1/calls", `{"callerNumber":"01012345678","receiverNumber":"+82-10-8765-4321"}`)
	require.Equal(t, http.StatusCreated, r.Status, "body: %s", r.Raw)
	require.Equal(t, "01087654321", r.data("call", "receiverNumber"))
	require.Nil(t, r.data("call", "agent"))
}

func TestInitiateBadInput(t *testing.T) {
	h := newHarness(t, func(c *config.Config) { c.HTTP.BodyLimit = 256 })
	cases := []struct {
		name, contentType, body string
		status                  int
		code, contains          string
	}{
		{"missing caller", "application/json", `{}`, 400, CodeValidation, "callerNumber: is required"},
		{"invalid caller", "application/json", `{"callerNumber":"12345"}`, 400, CodeValidation, "callerNumber:"},
		{"invalid receiver", "application/json", `{"callerNumber":"01012345678","receiverNumber":"abc"}`, 400, CodeValidation, "receiverNumber:"},
		{"empty receiver", "application/json", `{"callerNumber":"01012345678","receiverNumber":""}`, 400, CodeValidation, "receiverNumber"},
		{"caller wrong type", "application/json", `{"callerNumber":1012345678}`, 400, CodeValidation, "callerNumber must be a string"},
		{"array body", "application/json", `[1,2]`, 400, CodeValidation, "must be a JSON object"},
		{"malformed", "application/json", `{"callerNumber":`, 400, CodeValidation, "malformed JSON"},
		{"syntax", "application/json", `{"callerNumber" "x"}`, 400, CodeValidation, "malformed JSON"},
		{"trailing data", "application/json", `{"callerNumber":"01012345678"} {}`, 400, CodeValidation, "after the JSON object"},
		{"unknown field", "application/json", `{"callerNumber":"01012345678","calerNumber":"x"}`, 400, CodeValidation, `unknown field "calerNumber"`},
		{"empty body", "application/json", ``, 400, CodeValidation, "empty"},
		{"no content type", "", `{"callerNumber":"01012345678"}`, 415, CodeUnsupportedMedia, "application/json"},
		{"form", "application/x-www-form-urlencoded", `callerNumber=01012345678`, 415, CodeUnsupportedMedia, "application/json"},
		{"unknown agent", "application/json", `{"callerNumber":"01012345678","agent":"nobody"}`, 400, CodeValidation, `no agent named "nobody"`},
		{"agent needs key", "application/json", `{"callerNumber":"01012345678","agent":"support-ko"}`, 503, CodeAgentUnavailable, "OPENAI_API_KEY"},
		{"invalid agent", "application/json", `{"callerNumber":"01012345678","agent":"broken"}`, 503, CodeAgentUnavailable, "broken"},
		{"agent on p2p", "application/json", `{"callerNumber":"01012345678","receiverNumber":"01087654321","agent":"default"}`, 400, CodeValidation, "takes no agent"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			r := h.do(t, http.MethodPost, "/api/v1/calls", tc.contentType, []byte(tc.body))
			requireError(t, r, tc.status, tc.code, tc.contains)
			require.Zero(t, h.countCalls(t), "a refused request wrote a call")
		})
	}
}

func TestBodyOverFiberLimit(t *testing.T) {
	h := newHarness(t, func(c *config.Config) { c.HTTP.UploadLimit = 1024; c.HTTP.BodyLimit = 512 })
	// Over the app-wide limit, Fiber refuses the body before any handler;
	// app.Test cannot show that, so this goes through a real listener.
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	go func() { _ = h.app.Listener(ln) }()
	t.Cleanup(func() { _ = h.app.Shutdown() })
	res, err := http.Post("http://"+ln.Addr().String()+"/api/v1/calls", "application/json", bytes.NewReader(bytes.Repeat([]byte("x"), 4096)))
	require.NoError(t, err)
	defer res.Body.Close()
	var body map[string]any
	require.NoError(t, json.NewDecoder(res.Body).Decode(&body))
	requireError(t, response{Status: res.StatusCode, Body: body}, http.StatusRequestEntityTooLarge, CodeTooLarge, "too large")
	require.Zero(t, h.countCalls(t))
}

func TestIDs(t *testing.T) {
	h := newHarness(t)
	for _, path := range []string{"/api/v1/calls/not-a-uuid", "/api/v1/calls/123/connect", "/api/v1/calls/x/end", "/api/v1/calls/%27%3B/history"} {
		method := http.MethodGet
		if strings.HasSuffix(path, "connect") || strings.HasSuffix(path, "end") {
			method = http.MethodPost
		}
		requireError(t, h.do(t, method, path, "", nil), http.StatusBadRequest, CodeValidation, "is not a call id")
	}
	unknown := "550e8400-e29b-41d4-a716-446655440000"
	requireError(t, h.do(t, http.MethodGet, "/api/v1/calls/"+unknown, "", nil), http.StatusNotFound, CodeNotFound, "call not found")
	requireError(t, h.do(t, http.MethodPost, "/api/v1/calls/"+unknown+"/end", "", nil), http.StatusNotFound, CodeNotFound, "call not found")
	requireError(t, h.do(t, http.MethodGet, "/api/v1/calls/"+unknown+"/history", "", nil), http.StatusNotFound, CodeNotFound, "call not found")

	// An upper-case spelling of a real id finds the call.
	id := h.newCall(t)["id"].(string)
	r := h.do(t, http.MethodGet, "/api/v1/calls/"+strings.ToUpper(id), "", nil)
	require.Equal(t, http.StatusOK, r.Status)
}

func TestListCalls(t *testing.T) {
	h := newHarness(t)
	var ids []string
	for range 5 {
		ids = append(ids, h.newCall(t)["id"].(string))
	}
	h.do(t, http.MethodPost, "/api/v1/calls/"+ids[0]+"/end", "", nil)

	r := h.do(t, http.MethodGet, "/api/v1/calls?limit=2&page=2", "", nil)
	require.Equal(t, http.StatusOK, r.Status, "body: %s", r.Raw)
	require.Len(t, r.data("calls"), 2)
	require.Equal(t, map[string]any{"page": 2.0, "limit": 2.0, "total": 5.0}, r.data("pagination"))

	r = h.do(t, http.MethodGet, "/api/v1/calls?status=ENDED", "", nil)
	calls := r.data("calls").([]any)
	require.Len(t, calls, 1)
	require.Equal(t, ids[0], calls[0].(map[string]any)["id"])

	r = h.do(t, http.MethodGet, "/api/v1/calls?agent=nobody", "", nil)
	require.Empty(t, r.data("calls"))
	require.NotNil(t, r.data("calls"), "an empty page is [], not null")

	requireError(t, h.do(t, http.MethodGet, "/api/v1/calls?status=DONE", "", nil), 400, CodeValidation, "status:")
	requireError(t, h.do(t, http.MethodGet, "/api/v1/calls?limit=0", "", nil), 400, CodeValidation, "limit:")
	requireError(t, h.do(t, http.MethodGet, "/api/v1/calls?limit=101", "", nil), 400, CodeValidation, "limit:")
	requireError(t, h.do(t, http.MethodGet, "/api/v1/calls?page=x", "", nil), 400, CodeValidation, "page:")
}

func TestHistory(t *testing.T) {
	h := newHarness(t)
	id := h.newCall(t)["id"].(string)
	r := h.do(t, http.MethodGet, "/api/v1/calls/"+id+"/history", "", nil)
	require.Equal(t, http.StatusOK, r.Status)
	require.Equal(t, []any{}, r.data("turns"))

	start := time.Date(2024, 12, 14, 10, 1, 0, 0, time.UTC)
	require.NoError(t, h.store.AppendTurns(context.Background(), id,
		&store.Turn{Role: store.RoleUser, Text: "Where is my order?", Sentiment: &store.Sentiment{Label: "neutral", Score: 0.5},
			StartedAt: start, EndedAt: start.Add(2 * time.Second),
			Timings: store.Timings{SpeechStart: start, SpeechEnd: start.Add(2 * time.Second), STTFinalDelay: 120 * time.Millisecond}},
		&store.Turn{Role: store.RoleAssistant, Text: "Let me check.", Interrupted: true,
			StartedAt: start.Add(3 * time.Second), EndedAt: start.Add(4 * time.Second),
			Timings: store.Timings{ChatFirstToken: 200 * time.Millisecond, TTSFirstAudio: 50 * time.Millisecond, RuntimeOverhead: 7500 * time.Microsecond}},
	))
	r = h.do(t, http.MethodGet, "/api/v1/calls/"+id+"/history", "", nil)
	require.Equal(t, id, r.data("callId"))
	turns := r.data("turns").([]any)
	require.Len(t, turns, 2)
	user := turns[0].(map[string]any)
	require.Equal(t, "user", user["role"])
	require.Equal(t, "Where is my order?", user["text"])
	require.Equal(t, map[string]any{"sentiment": "neutral", "score": 0.5}, user["sentiment"])
	require.Equal(t, "2024-12-14T10:01:00.000Z", user["startedAt"])
	require.EqualValues(t, 120, user["timings"].(map[string]any)["sttFinalMs"])
	bot := turns[1].(map[string]any)
	require.Equal(t, true, bot["interrupted"])
	require.EqualValues(t, 7.5, bot["timings"].(map[string]any)["runtimeOverheadMs"])
}

func TestAgents(t *testing.T) {
	h := newHarness(t)
	r := h.do(t, http.MethodGet, "/api/v1/agents", "", nil)
	require.Equal(t, http.StatusOK, r.Status)
	require.Equal(t, "default", r.data("default"))
	byName := map[string]map[string]any{}
	for _, a := range r.data("agents").([]any) {
		m := a.(map[string]any)
		byName[m["name"].(string)] = m
	}
	require.Equal(t, "ready", byName["default"]["status"])
	require.Equal(t, true, byName["default"]["default"])
	require.Equal(t, "unavailable", byName["support-ko"]["status"])
	require.Contains(t, byName["support-ko"]["errors"].([]any)[0], "OPENAI_API_KEY")
	require.Equal(t, "invalid", byName["broken"]["status"])
	require.Contains(t, strings.Join(toStrings(byName["broken"]["errors"]), "\n"), "language")
	require.NotContains(t, string(r.Raw), "sk-", "no secret in the listing")
}

func toStrings(v any) []string {
	var out []string
	for _, s := range v.([]any) {
		out = append(out, s.(string))
	}
	return out
}

func TestHealth(t *testing.T) {
	h := newHarness(t)
	r := h.do(t, http.MethodGet, "/healthz", "", nil)
	require.Equal(t, http.StatusOK, r.Status)
	r = h.do(t, http.MethodGet, "/readyz", "", nil)
	require.Equal(t, http.StatusOK, r.Status, "body: %s", r.Raw)
	require.Equal(t, "ok", r.data("checks", "store"))

	require.NoError(t, h.store.Close())
	r = h.do(t, http.MethodGet, "/readyz", "", nil)
	require.Equal(t, http.StatusServiceUnavailable, r.Status)
	require.Equal(t, false, r.Body["success"])
}

func TestInternalErrorsHideInternals(t *testing.T) {
	h := newHarness(t)
	id := h.newCall(t)["id"].(string)
	require.NoError(t, h.store.Close())
	r := h.do(t, http.MethodGet, "/api/v1/calls/"+id, "", nil)
	requireError(t, r, http.StatusInternalServerError, CodeInternal, "internal error")
	require.NotContains(t, strings.ToLower(string(r.Raw)), "sql")
	require.NotEmpty(t, r.Header.Get("X-Request-ID"))
}

func TestUnknownRoute(t *testing.T) {
	h := newHarness(t)
	requireError(t, h.do(t, http.MethodGet, "/api/v1/nothing", "", nil), http.StatusNotFound, CodeNotFound, "no such route")
	requireError(t, h.do(t, http.MethodDelete, "/api/v1/calls", "", nil), http.StatusNotFound, CodeNotFound, "no such route")
}

func TestRateLimit(t *testing.T) {
	h := newHarness(t, func(c *config.Config) { c.HTTP.RateLimit = 3 })
	for range 3 {
		require.Equal(t, http.StatusOK, h.do(t, http.MethodGet, "/api/v1/calls/config", "", nil).Status)
	}
	requireError(t, h.do(t, http.MethodGet, "/api/v1/calls/config", "", nil), http.StatusTooManyRequests, CodeRateLimited, "too many requests")
	require.Equal(t, http.StatusOK, h.do(t, http.MethodGet, "/healthz", "", nil).Status, "health is not rate limited")
}

func TestCORSAndRequestID(t *testing.T) {
	h := newHarness(t, func(c *config.Config) { c.CORSOrigin = "https://app.example.com" })
	req := httptest.NewRequest(http.MethodGet, "/api/v1/calls/config", nil)
	req.Header.Set("Origin", "https://app.example.com")
	res, err := h.app.Test(req)
	require.NoError(t, err)
	require.Equal(t, "https://app.example.com", res.Header.Get("Access-Control-Allow-Origin"))
	require.NotEmpty(t, res.Header.Get("X-Request-ID"))

	req = httptest.NewRequest(http.MethodGet, "/api/v1/calls/config", nil)
	req.Header.Set("Origin", "https://evil.example.com")
	res, err = h.app.Test(req)
	require.NoError(t, err)
	require.Empty(t, res.Header.Get("Access-Control-Allow-Origin"))
}

func TestConcurrentEndsOneWins(t *testing.T) {
	h := newHarness(t)
	id := h.newCall(t)["id"].(string)
	var wg sync.WaitGroup
	statuses := make(chan int, 8)
	for range 8 {
		wg.Go(func() {
			statuses <- h.do(t, http.MethodPost, "/api/v1/calls/"+id+"/end", "", nil).Status
		})
	}
	wg.Wait()
	close(statuses)
	counts := map[int]int{}
	for s := range statuses {
		counts[s]++
	}
	require.Equal(t, map[int]int{200: 1, 409: 7}, counts)
}

func TestPlugins(t *testing.T) {
	h := newHarness(t)
	r := h.do(t, http.MethodGet, "/api/v1/plugins", "", nil)
	require.Equal(t, http.StatusOK, r.Status)
	require.Equal(t, []any{map[string]any{
		"name": "scripted", "kinds": []any{"chat"}, "path": "/bin/plugins/scripted", "version": "dev",
		"pid": 42.0, "state": "restarting", "restarts": 2.0, "lastError": "process exited",
	}}, r.data("plugins"))
}

func TestConversationProcessRefusesBadRequests(t *testing.T) {
	h := newHarness(t, func(c *config.Config) { c.HTTP.UploadLimit = 2048 })
	requireError(t, h.json(t, http.MethodPost, "/api/v1/calls/conversation/process", `{"callId":"x"}`),
		http.StatusUnsupportedMediaType, CodeUnsupportedMedia, "multipart/form-data")

	var body bytes.Buffer
	w := multipart.NewWriter(&body)
	require.NoError(t, w.WriteField("callId", "550e8400-e29b-41d4-a716-446655440000"))
	require.NoError(t, w.Close())
	requireError(t, h.do(t, http.MethodPost, "/api/v1/calls/conversation/process", w.FormDataContentType(), body.Bytes()),
		http.StatusBadRequest, CodeValidation, "audio: is required")

	// Over the upload limit: refused before any handler, through a real listener.
	body.Reset()
	w = multipart.NewWriter(&body)
	fw, err := w.CreateFormFile("audio", "big.wav")
	require.NoError(t, err)
	_, _ = fw.Write(make([]byte, 8192))
	require.NoError(t, w.Close())
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	go func() { _ = h.app.Listener(ln) }()
	t.Cleanup(func() { _ = h.app.Shutdown() })
	res, err := http.Post("http://"+ln.Addr().String()+"/api/v1/calls/conversation/process", w.FormDataContentType(), &body)
	require.NoError(t, err)
	defer res.Body.Close()
	require.Equal(t, http.StatusRequestEntityTooLarge, res.StatusCode)
}
