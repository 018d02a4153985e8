package security

import (
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"os"
	"runtime"
	"strings"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"github.com/pion/webrtc/v4"
	"github.com/stretchr/testify/require"

	"github.com/parleyhq/parley/internal/e2e"
)

// TestAdmissionAndDrain runs the built runtime with the offline default
// agent, in a process group of its own as systemd runs a service:
//   - at PARLEY_MAX_CALLS, POST /api/v1/calls answers 503
//     CAPACITY_EXCEEDED with Retry-After, and an ended call makes room;
//   - a SIGTERM to the whole process group drains: /readyz and new calls
//     answer 503 at once, the live call goes on (the agent's audio keeps
//     coming, the plugins live on and are not restarted), and at
//     PARLEY_DRAIN_TIMEOUT the call ends with reason "shutdown", stored;
//   - with no call cap, pocketsphinx's declared stream limit refuses the
//     default agent's calls past it;
//   - a second SIGTERM ends a drain at once.
func TestAdmissionAndDrain(t *testing.T) {
	dir := e2e.BuildRuntime(t, e2e.Race, "pocketsphinx", "scripted", "espeak", "sentiment")
	data := t.TempDir()

	rt := startGroup(t, e2e.Binary(dir), data, "PARLEY_MAX_CALLS=2", "PARLEY_DRAIN_TIMEOUT=5s")
	live := dial(t, rt)

	t.Run("cap", func(t *testing.T) {
		ringing := rt.create(t)
		require.Equal(t, http.StatusCreated, ringing.status, "%s", ringing.raw)
		full := rt.create(t)
		requireRefused(t, full, "CAPACITY_EXCEEDED", "PARLEY_MAX_CALLS")
		require.Equal(t, "5", full.header.Get("Retry-After"))
		require.Contains(t, string(rt.get(t, "/metrics").raw), `parley_refused_total{reason="max_calls"} 1`)
		rt.post(t, "/api/v1/calls/"+ringing.callID()+"/end")
		again := rt.create(t)
		require.Equal(t, http.StatusCreated, again.status, "an ended call makes room: %s", again.raw)
		rt.post(t, "/api/v1/calls/"+again.callID()+"/end")
	})

	t.Run("drain", func(t *testing.T) {
		plugins := rt.plugins(t)
		require.NotEmpty(t, plugins)
		heardBefore := live.packets.Load()
		signalGroup(t, rt, syscall.SIGTERM)

		require.Eventually(t, func() bool { return rt.get(t, "/readyz").status == http.StatusServiceUnavailable },
			5*time.Second, 20*time.Millisecond, "readyz answers 503 once draining")
		refused := rt.create(t)
		requireRefused(t, refused, "SHUTTING_DOWN", "shutting down")
		require.NotEmpty(t, refused.header.Get("Retry-After"))

		// Two seconds into the drain the call is still in progress, the
		// agent still speaks, and the plugins are the same processes.
		time.Sleep(2 * time.Second)
		require.Equal(t, "IN_PROGRESS", rt.callStatus(t, live.id))
		require.Greater(t, live.packets.Load(), heardBefore+50, "the agent's audio keeps coming during the drain")
		for _, p := range rt.plugins(t) {
			require.Equal(t, "healthy", p.State, "plugin %s during the drain", p.Name)
			require.Zero(t, p.Restarts, "plugin %s restarted during the drain", p.Name)
			require.Equal(t, plugins[p.Name].PID, p.PID, "plugin %s is the same process", p.Name)
		}

		// At the drain timeout the call ends with reason shutdown, and the
		// runtime exits cleanly, its plugins with it.
		ended := live.waitStatus(t, "ENDED", 15*time.Second)
		require.Equal(t, "shutdown", ended["reason"])
		rt.waitExit(t, 15*time.Second, 0)
		for _, p := range plugins {
			require.Eventually(t, func() bool { return gone(p.PID) }, 5*time.Second, 20*time.Millisecond, "plugin %s outlived the runtime", p.Name)
		}
	})

	t.Run("stored", func(t *testing.T) {
		rt := startGroup(t, e2e.Binary(dir), data)
		c := rt.get(t, "/api/v1/calls/"+live.id)
		require.Equal(t, http.StatusOK, c.status, "%s", c.raw)
		require.Equal(t, "ENDED", c.data("call", "status"))
		require.Equal(t, "shutdown", c.data("call", "endReason"), "not FAILED by the next start's recovery")
	})

	t.Run("stream limit and second signal", func(t *testing.T) {
		rt := startGroup(t, e2e.Binary(dir), t.TempDir(), "PARLEY_DRAIN_TIMEOUT=2m", "PARLEY_MAX_CALLS=0")
		c := dial(t, rt)
		// With no call cap, pocketsphinx's declared limit (3 streams per
		// core) refuses the default agent's calls past it.
		limit := rt.plugins(t)["pocketsphinx"].MaxStreams
		require.Equal(t, 3*runtime.GOMAXPROCS(0), limit)
		for i := 1; i < limit; i++ {
			r := rt.create(t)
			require.Equal(t, http.StatusCreated, r.status, "call %d of %d: %s", i+1, limit, r.raw)
		}
		requireRefused(t, rt.create(t), "CAPACITY_EXCEEDED", fmt.Sprintf("pocketsphinx serves at most %d calls", limit))

		signalGroup(t, rt, syscall.SIGTERM)
		require.Eventually(t, func() bool { return rt.get(t, "/readyz").status == http.StatusServiceUnavailable },
			5*time.Second, 20*time.Millisecond)
		signalGroup(t, rt, syscall.SIGTERM)
		ended := c.waitStatus(t, "ENDED", 10*time.Second)
		require.Equal(t, "shutdown", ended["reason"])
		rt.waitExit(t, 10*time.Second, 0)
	})
}

// groupRuntime is a runtime started as the leader of its own process
// group, as a service manager starts it.
type groupRuntime struct {
	*e2e.Runtime
	base string
}

// startGroup starts bin with the repository's agents, data in data,
// loopback WebRTC, JSON logs and no REST rate limit (env last), in a new
// process group, and waits for /readyz. The test's cleanup stops it if it
// is left.
func startGroup(t *testing.T, bin, data string, env ...string) *groupRuntime {
	t.Helper()
	rt := e2e.StartWith(t, bin, e2e.RuntimeOptions{DataDir: data, Group: true, ReadyTimeout: 60 * time.Second,
		Env: append([]string{"PARLEY_HTTP_RATE_LIMIT=0"}, env...)})
	return &groupRuntime{Runtime: rt, base: rt.Base}
}

// signalGroup sends sig to the runtime's whole process group.
func signalGroup(t *testing.T, rt *groupRuntime, sig syscall.Signal) {
	t.Helper()
	require.NoError(t, rt.Signal(sig))
}

func (rt *groupRuntime) waitExit(t *testing.T, within time.Duration, code int) {
	t.Helper()
	select {
	case <-rt.Exited():
	case <-time.After(within):
		t.Fatalf("runtime still running %s after SIGTERM", within)
	}
	require.Equal(t, code, rt.ExitCode(), "exit: %v", rt.Wait())
}

// reply is an HTTP answer with its envelope decoded.
type reply struct {
	status int
	header http.Header
	raw    []byte
	body   map[string]any
}

func (r reply) data(keys ...string) any {
	v := r.body["data"]
	for _, k := range keys {
		m, _ := v.(map[string]any)
		v = m[k]
	}
	return v
}

func (r reply) callID() string { s, _ := r.data("call", "id").(string); return s }

func (rt *groupRuntime) do(t *testing.T, method, path, body string) reply {
	t.Helper()
	req, err := http.NewRequest(method, rt.base+path, strings.NewReader(body))
	require.NoError(t, err)
	if body != "" {
		req.Header.Set("Content-Type", "application/json")
	}
	res, err := (&http.Client{Timeout: 5 * time.Second}).Do(req)
	if err != nil {
		return reply{}
	}
	defer res.Body.Close()
	raw, _ := io.ReadAll(res.Body)
	r := reply{status: res.StatusCode, header: res.Header, raw: raw}
	_ = json.Unmarshal(raw, &r.body)
	return r
}

func (rt *groupRuntime) get(t *testing.T, path string) reply {
	return rt.do(t, http.MethodGet, path, "")
}

func (rt *groupRuntime) post(t *testing.T, path string) reply {
	t.Helper()
	r := rt.do(t, http.MethodPost, path, "")
	require.Equal(t, http.StatusOK, r.status, "POST %s: %s", path, r.raw)
	return r
}

func (rt *groupRuntime) create(t *testing.T) reply {
	return rt.do(t, http.MethodPost, "/api/v1/calls", `{"callerNumber":"010-1234-5678"}`)
}

func (rt *groupRuntime) callStatus(t *testing.T, id string) string {
	s, _ := rt.get(t, "/api/v1/calls/"+id).data("call", "status").(string)
	return s
}

type pluginStatus struct {
	Name       string `json:"name"`
	PID        int    `json:"pid"`
	State      string `json:"state"`
	Restarts   int    `json:"restarts"`
	MaxStreams int    `json:"maxStreams"`
}

func (rt *groupRuntime) plugins(t *testing.T) map[string]pluginStatus {
	t.Helper()
	r := rt.get(t, "/api/v1/plugins")
	require.Equal(t, http.StatusOK, r.status, "%s", r.raw)
	var env struct {
		Data struct {
			Plugins []pluginStatus `json:"plugins"`
		} `json:"data"`
	}
	require.NoError(t, json.Unmarshal(r.raw, &env))
	out := map[string]pluginStatus{}
	for _, p := range env.Data.Plugins {
		require.Positive(t, p.PID, "plugin %s has no process", p.Name)
		out[p.Name] = p
	}
	return out
}

func requireRefused(t *testing.T, r reply, code, contains string) {
	t.Helper()
	require.Equal(t, http.StatusServiceUnavailable, r.status, "%s", r.raw)
	require.Equal(t, false, r.body["success"], "%s", r.raw)
	e, _ := r.body["error"].(map[string]any)
	require.Equal(t, code, e["code"], "%s", r.raw)
	require.Contains(t, e["message"], contains)
}

// gone reports whether pid has exited (or is a zombie waiting for init).
func gone(pid int) bool {
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", pid))
	if err != nil {
		return true
	}
	s := string(b)
	f := strings.Fields(s[strings.LastIndexByte(s, ')')+1:])
	return len(f) > 0 && f[0] == "Z"
}

// liveCall is a caller connected to the default agent over loopback
// WebRTC (e2e.Dial), sending Opus silence and counting the agent's
// packets.
type liveCall struct {
	id      string
	packets atomic.Int64
	events  *e2e.Events // call-status
}

// dial creates a call to the default agent, joins its session and
// connects media; the call is IN_PROGRESS when it returns.
func dial(t *testing.T, rt *groupRuntime) *liveCall {
	t.Helper()
	created := rt.create(t)
	require.Equal(t, http.StatusCreated, created.status, "%s", created.raw)
	c := &liveCall{id: created.callID()}
	session, _ := created.data("call", "sessionId").(string)
	d := e2e.Dial(t, rt.base, session, e2e.DialOptions{
		Peer:          "caller-peer",
		Record:        []string{"call-status"},
		AnswerTimeout: 15 * time.Second,
		OnTrack: func(tr *webrtc.TrackRemote) {
			for {
				if _, _, err := tr.ReadRTP(); err != nil {
					return
				}
				c.packets.Add(1)
			}
		},
	})
	c.events = d.Events
	e2e.StartMic(t, d.Mic) // silence: the call has caller media the whole time
	rt.post(t, "/api/v1/calls/"+c.id+"/connect")
	require.Eventually(t, func() bool { return rt.callStatus(t, c.id) == "IN_PROGRESS" }, 20*time.Second, 50*time.Millisecond,
		"call did not reach IN_PROGRESS")
	return c
}

// waitStatus waits for a call-status event with status and returns it.
func (c *liveCall) waitStatus(t *testing.T, status string, within time.Duration) map[string]any {
	t.Helper()
	return c.events.Wait(t, "call-status", 1, func(m map[string]any) bool { return m["status"] == status }, within)
}
