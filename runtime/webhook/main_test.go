package webhook

import (
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"strconv"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
	"go.uber.org/goleak"

	"github.com/parleyhq/parley/runtime/agent"
	"github.com/parleyhq/parley/runtime/call"
	"github.com/parleyhq/parley/runtime/metrics"
	"github.com/parleyhq/parley/runtime/store"
	"github.com/parleyhq/parley/runtime/store/sqlite"
)

func TestMain(m *testing.M) { goleak.VerifyTestMain(m) }

const testSecret = "test-signing-secret"

// received is one request as the receiver saw it.
type received struct {
	Event, EventID, Attempt string
	Body                    []byte
	Payload                 Event
}

// receiver is a real HTTP endpoint on loopback that verifies every
// request's signature the way docs/webhooks.md tells receivers to, and
// answers with the statuses of answer in turn (then 200).
type receiver struct {
	t   *testing.T
	srv *httptest.Server

	mu     sync.Mutex
	got    []received
	bad    []string
	answer []int
	hold   time.Duration
}

func newReceiver(t *testing.T, answer ...int) *receiver {
	r := &receiver{t: t, answer: answer}
	r.srv = httptest.NewServer(http.HandlerFunc(r.serve))
	t.Cleanup(r.srv.Close)
	return r
}

func (r *receiver) serve(w http.ResponseWriter, req *http.Request) {
	body, _ := io.ReadAll(io.LimitReader(req.Body, 1<<20))
	ts := req.Header.Get(HeaderTimestamp)
	mac := hmac.New(sha256.New, []byte(testSecret))
	mac.Write([]byte(ts + "." + string(body)))
	want := "v1=" + hex.EncodeToString(mac.Sum(nil))
	r.mu.Lock()
	hold := r.hold
	sec, err := strconv.ParseInt(ts, 10, 64)
	switch {
	case !hmac.Equal([]byte(req.Header.Get(HeaderSignature)), []byte(want)):
		r.bad = append(r.bad, "bad signature")
	case err != nil || time.Since(time.Unix(sec, 0)).Abs() > 5*time.Minute:
		r.bad = append(r.bad, "bad timestamp "+ts)
	}
	var p Event
	if err := json.Unmarshal(body, &p); err != nil {
		r.bad = append(r.bad, "body is not JSON: "+err.Error())
	}
	r.got = append(r.got, received{Event: req.Header.Get(HeaderEvent), EventID: req.Header.Get(HeaderEventID), Attempt: req.Header.Get(HeaderAttempt), Body: body, Payload: p})
	status := http.StatusOK
	if len(r.answer) > 0 {
		status, r.answer = r.answer[0], r.answer[1:]
	}
	r.mu.Unlock()
	if hold > 0 {
		select {
		case <-time.After(hold):
		case <-req.Context().Done():
		}
	}
	w.WriteHeader(status)
	_, _ = w.Write([]byte("answer body"))
}

func (r *receiver) requests() []received {
	r.mu.Lock()
	defer r.mu.Unlock()
	require.Empty(r.t, r.bad, "the receiver refused requests")
	return append([]received(nil), r.got...)
}

type specs map[string]*agent.Spec

func (s specs) AgentSpec(id string) (*agent.Spec, bool) { sp, ok := s[id]; return sp, ok }

// fixture is a real SQLite store with one agent call, and the spec of an
// agent whose webhook points at url.
type fixture struct {
	st   store.Store
	c    *call.Call
	spec *agent.Spec
}

func newFixture(t *testing.T, url string, timeout time.Duration, events ...agent.WebhookEvent) *fixture {
	t.Helper()
	st, err := sqlite.Open(context.Background(), filepath.Join(t.TempDir(), "parley.db"))
	require.NoError(t, err)
	t.Cleanup(func() { _ = st.Close() })
	caller, err := call.ParsePhoneNumber("010-1234-5678")
	require.NoError(t, err)
	c := call.New(caller, call.PhoneNumber{}, "shop", time.Now())
	require.NoError(t, c.Ring())
	require.NoError(t, st.CreateCall(context.Background(), c))
	spec := &agent.Spec{Name: "shop", Webhooks: []agent.Webhook{{URL: url, Events: events, SecretEnv: "HOOK_SECRET", Timeout: agent.Duration(timeout)}}}
	return &fixture{st: st, c: c, spec: spec}
}

func lookup(name string) (string, bool) {
	if name == "HOOK_SECRET" {
		return testSecret, true
	}
	return "", false
}

// run starts a worker on f's store and stops it when the test ends.
func (f *fixture) run(t *testing.T, cfg Config) *Worker {
	t.Helper()
	if cfg.Lookup == nil {
		cfg.Lookup = lookup
	}
	if cfg.BaseDelay == 0 {
		cfg.BaseDelay = 20 * time.Millisecond
	}
	cfg.Poll = 10 * time.Millisecond
	w := NewWorker(f.st, cfg, nil)
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() { defer close(done); _ = w.Run(ctx) }()
	t.Cleanup(func() { cancel(); <-done })
	return w
}

// advance moves the call to status, as service.Calls would, and stores it.
func (f *fixture) advance(t *testing.T, to call.Status) call.Call {
	t.Helper()
	prev := f.c.Status
	now := time.Now()
	switch to {
	case call.StatusConnecting:
		require.NoError(t, f.c.Connect())
	case call.StatusInProgress:
		require.NoError(t, f.c.Start(now))
	case call.StatusEnded:
		require.NoError(t, f.c.End(now, call.ReasonHangup))
	}
	require.NoError(t, f.st.UpdateCall(context.Background(), f.c, prev))
	return *f.c
}

func deliveries(t *testing.T, st store.Store, status store.DeliveryStatus) []*store.Delivery {
	t.Helper()
	ds, _, err := st.Deliveries(context.Background(), store.DeliveryFilter{Status: status, Limit: 100})
	require.NoError(t, err)
	return ds
}

func counter(t *testing.T, m *metrics.Metrics, outcome string) float64 {
	t.Helper()
	rec := httptest.NewRecorder()
	m.Handler().ServeHTTP(rec, httptest.NewRequest(http.MethodGet, "/metrics", nil))
	return scrape(rec.Body.String(), `parley_webhook_deliveries_total{agent="shop",event=`, `outcome="`+outcome+`"}`)
}

// httptestServerOn serves r on an existing listener.
func httptestServerOn(ln net.Listener, r *receiver) *httptest.Server {
	srv := &httptest.Server{Listener: ln, Config: &http.Server{Handler: http.HandlerFunc(r.serve)}}
	srv.Start()
	return srv
}
