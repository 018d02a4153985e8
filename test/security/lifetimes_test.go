package security

import (
	"encoding/base64"
	"encoding/json"
	"fmt"
	"net/http"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
	sio "github.com/zishang520/socket.io/clients/socket/v3"
	"go.yaml.in/yaml/v3"

	"github.com/parleyhq/parley/internal/e2e"
)

// TestCallLifetimes runs a built runtime with a 2 s ring timeout and a
// default agent whose silence_timeout is 2 s, and checks, as a client sees
// them through the API and the call's events:
//
//   - a call nobody joins FAILS with reason "no answer" after the ring
//     timeout;
//   - a call whose client joins and sends a candidate but never an offer
//     fails alike, and its live state is freed (parley_calls_active back
//     to 0);
//   - a call to an agent whose max_duration is 3 s hears the goodbye and
//     ENDS with reason "max duration";
//   - a caller who says nothing is asked once whether they are still
//     there, then hears the goodbye, and the call ENDS with reason
//     "silence timeout".
func TestCallLifetimes(t *testing.T) {
	if testing.Short() {
		t.Skip("builds and runs the runtime")
	}
	agents := lifetimesAgents(t, map[string]string{"default": "silence_timeout: 2s\n", "brief": "max_duration: 3s\n"})
	rt := e2e.Start(t, lifetimesRuntime(t), "PARLEY_CALL_RING_TIMEOUT=2s", "PARLEY_AGENTS_DIR="+agents)

	t.Run("ring timeout", func(t *testing.T) {
		t.Parallel()
		start := time.Now()
		id, _ := lifetimesNewCall(t, rt, "")
		c := lifetimesAwaitStatus(t, rt, id, "FAILED", 15*time.Second)
		require.Equal(t, "no answer", c["endReason"])
		took := time.Since(start)
		require.GreaterOrEqual(t, took, 2*time.Second, "failed before the ring timeout")
		t.Logf("failed %v after it was created", took.Round(10*time.Millisecond))
	})

	t.Run("joined without media", func(t *testing.T) {
		id, session := lifetimesNewCall(t, rt, "")
		cl := lifetimesJoin(t, rt, session)
		require.NoError(t, cl.sock.Emit("ice-candidate", map[string]any{"sessionId": session, "peerId": "client-peer",
			"candidate": map[string]any{"candidate": "candidate:1 1 udp 2130706431 127.0.0.1 50000 typ host", "sdpMid": "0", "sdpMLineIndex": 0}}))
		c := lifetimesAwaitStatus(t, rt, id, "FAILED", 15*time.Second)
		require.Equal(t, "no answer", c["endReason"])
		cl.await(t, "call-status", func(p map[string]any) bool { return p["status"] == "FAILED" })
	})

	// One chunk of silence as audio-data starts a call's media; the caller
	// then says nothing at all.
	silence := base64.StdEncoding.EncodeToString(make([]byte, 640))

	t.Run("max duration", func(t *testing.T) {
		id, session := lifetimesNewCall(t, rt, "brief")
		cl := lifetimesJoin(t, rt, session)
		require.NoError(t, cl.sock.Emit("audio-data", map[string]any{"sessionId": session, "peerId": "client-peer", "audioData": silence, "timestamp": 0}))
		cl.await(t, "call-status", func(p map[string]any) bool { return p["status"] == "IN_PROGRESS" })
		connected := time.Now()
		goodbye := cl.await(t, "agent-response", func(p map[string]any) bool {
			return p["final"] == true && strings.Contains(fmt.Sprint(p["text"]), "time limit")
		})
		c := lifetimesAwaitStatus(t, rt, id, "ENDED", 30*time.Second)
		require.Equal(t, "max duration", c["endReason"])
		took := time.Since(connected)
		require.GreaterOrEqual(t, took, 3*time.Second, "ended before its max duration")
		t.Logf("goodbye %q; ended %v after it connected", goodbye["text"], took.Round(10*time.Millisecond))
	})

	t.Run("silence timeout", func(t *testing.T) {
		id, session := lifetimesNewCall(t, rt, "")
		cl := lifetimesJoin(t, rt, session)
		require.NoError(t, cl.sock.Emit("audio-data", map[string]any{"sessionId": session, "peerId": "client-peer", "audioData": silence, "timestamp": 0}))
		final := func(p map[string]any) bool { return p["final"] == true }
		greeting := cl.await(t, "agent-response", final)
		greeted := time.Now()
		prompt := cl.awaitNth(t, "agent-response", 2, final)
		asked := time.Now()
		goodbye := cl.awaitNth(t, "agent-response", 3, final)
		c := lifetimesAwaitStatus(t, rt, id, "ENDED", 30*time.Second)
		require.Equal(t, "silence timeout", c["endReason"])
		require.Contains(t, greeting["text"], "Thank you for calling")
		require.Equal(t, "Hello, are you still there?", prompt["text"])
		require.Contains(t, goodbye["text"], "hang up")
		require.GreaterOrEqual(t, asked.Sub(greeted), 2*time.Second, "asked before 2 s of silence")
		t.Logf("greeting, then the prompt %v later, then the goodbye; ended %q", asked.Sub(greeted).Round(10*time.Millisecond), c["endReason"])
	})

	// Every failed or ended call's live state is freed.
	active := regexp.MustCompile(`(?m)^parley_calls_active\{agent="(default|brief)"\} (\S+)$`)
	require.Eventually(t, func() bool {
		m := active.FindAllStringSubmatch(string(rt.Get(t, "/metrics")), -1)
		for _, g := range m {
			if g[2] != "0" {
				return false
			}
		}
		return len(m) == 2
	}, 10*time.Second, 50*time.Millisecond, "parley_calls_active back to 0")
}

// lifetimesRuntime builds the runtime and the default agent's plugins.
func lifetimesRuntime(t *testing.T) string {
	t.Helper()
	root := e2e.Root(t)
	var spec struct {
		Providers map[string]struct {
			Plugin string `yaml:"plugin"`
		} `yaml:"providers"`
	}
	raw, err := os.ReadFile(filepath.Join(root, "agents", "default.yaml"))
	require.NoError(t, err)
	require.NoError(t, yaml.Unmarshal(raw, &spec))
	var plugins []string
	for _, p := range spec.Providers {
		if _, err := os.Stat(filepath.Join(root, "plugins", p.Plugin)); err == nil && !slices.Contains(plugins, p.Plugin) {
			plugins = append(plugins, p.Plugin)
		}
	}
	return e2e.Binary(e2e.BuildRuntime(t, e2e.Race, plugins...))
}

// lifetimesAgents returns an agents directory holding, for each name, the
// repository's default agent under that name with extra[name] appended
// (top-level keys).
func lifetimesAgents(t *testing.T, extra map[string]string) string {
	t.Helper()
	raw, err := os.ReadFile(filepath.Join(e2e.Root(t), "agents", "default.yaml"))
	require.NoError(t, err)
	require.Contains(t, string(raw), "\nname: default\n")
	dir := t.TempDir()
	for name, keys := range extra {
		spec := strings.Replace(string(raw), "\nname: default\n", "\nname: "+name+"\n", 1) + "\n" + keys
		require.NoError(t, os.WriteFile(filepath.Join(dir, name+".yaml"), []byte(spec), 0o600))
	}
	return dir
}

// lifetimesNewCall creates a call to agent (the default one when empty):
// its id and session id.
func lifetimesNewCall(t *testing.T, rt *e2e.Runtime, agent string) (id, session string) {
	t.Helper()
	body := `{"callerNumber":"01012345678"}`
	if agent != "" {
		body = fmt.Sprintf(`{"callerNumber":"01012345678","agent":%q}`, agent)
	}
	res, err := http.Post(rt.Base+"/api/v1/calls", "application/json", strings.NewReader(body))
	require.NoError(t, err)
	defer res.Body.Close()
	var out struct {
		Data struct {
			Call struct {
				ID        string `json:"id"`
				SessionID string `json:"sessionId"`
			} `json:"call"`
		} `json:"data"`
	}
	require.NoError(t, json.NewDecoder(res.Body).Decode(&out))
	require.NotEmpty(t, out.Data.Call.ID)
	return out.Data.Call.ID, out.Data.Call.SessionID
}

// lifetimesAwaitStatus polls GET /api/v1/calls/{id} until the call has
// status, and returns it.
func lifetimesAwaitStatus(t *testing.T, rt *e2e.Runtime, id, status string, within time.Duration) map[string]any {
	t.Helper()
	var last map[string]any
	deadline := time.Now().Add(within)
	for time.Now().Before(deadline) {
		var out struct {
			Data struct {
				Call map[string]any `json:"call"`
			} `json:"data"`
		}
		require.NoError(t, json.Unmarshal(rt.Get(t, "/api/v1/calls/"+id), &out))
		if last = out.Data.Call; last["status"] == status {
			return last
		}
		time.Sleep(50 * time.Millisecond)
	}
	t.Fatalf("call %s never became %s: %v", id, status, last)
	return nil
}

// lifetimesClient is a Socket.IO client joined to a session as
// client-peer, recording the events it gets.
type lifetimesClient struct {
	sock   *sio.Socket
	events *e2e.Events
}

// lifetimesJoin connects to /signaling and joins session, once: a join
// that is not confirmed fails the test (issue 11: no lost set-up).
func lifetimesJoin(t *testing.T, rt *e2e.Runtime, session string) *lifetimesClient {
	t.Helper()
	c := &lifetimesClient{events: &e2e.Events{IgnoreErrors: true}}
	c.sock = e2e.JoinSession(t, rt.Base, session, "client-peer", func(sock *sio.Socket) {
		c.events.On(sock, "error", "call-status", "agent-response", "agent-speaking")
	})
	return c
}

func (c *lifetimesClient) await(t *testing.T, name string, match func(map[string]any) bool) map[string]any {
	t.Helper()
	return c.awaitNth(t, name, 1, match)
}

// awaitNth returns the nth event name that match accepts (nil: any),
// failing after 30 s.
func (c *lifetimesClient) awaitNth(t *testing.T, name string, nth int, match func(map[string]any) bool) map[string]any {
	t.Helper()
	return c.events.Wait(t, name, nth, match, 30*time.Second)
}
