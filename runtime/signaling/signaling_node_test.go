package signaling

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/gofiber/fiber/v2"

	"github.com/parleyhq/parley/internal/e2e"
)

// fakeSessions knows sessions by id; besides, every "s-agent-*" id is a
// live agent session and every "s-relay-*" id a live person-to-person
// one, each with its own call, and the call token id "tok-" + id; and
// every id starting with "s-burst-agent-" or "s-burst-live-"
// (test/signaling/burst.test.mjs) a live agent or person-to-person session.
type fakeSessions map[string]Session

func (f fakeSessions) Lookup(_ context.Context, id string) (Session, error) {
	if s, ok := f[id]; ok {
		return s, nil
	}
	switch {
	case strings.HasPrefix(id, "s-burst-agent-"):
		return Session{CallID: "call-" + id, Live: true, Agent: true}, nil
	case strings.HasPrefix(id, "s-burst-live-"):
		return Session{CallID: "call-" + id, Live: true}, nil
	case strings.HasPrefix(id, "s-agent-"):
		return Session{CallID: "call-" + id, Live: true, Agent: true, TokenID: "tok-" + id}, nil
	case strings.HasPrefix(id, "s-relay-"):
		return Session{CallID: "call-" + id, Live: true, TokenID: "tok-" + id}, nil
	}
	return Session{}, nil
}

// fakeGate is the key-mode test's Gate: "key" is an API key, "token:ID" a
// call token of id "tok-ID", "explode" fails the check itself.
type fakeGate struct{}

func (fakeGate) Identify(cred string) (Identity, error) {
	switch {
	case cred == "key":
		return Identity{Key: true}, nil
	case cred == "explode":
		return Identity{}, errors.New("key store unreachable")
	case strings.HasPrefix(cred, "token:"):
		return Identity{TokenID: "tok-" + strings.TrimPrefix(cred, "token:")}, nil
	}
	return Identity{}, fmt.Errorf("credential %w", ErrUnauthorized)
}

// echoAgent answers agent sessions for the Node test: an offer with sdp
// "reject" is refused, any other is answered with "answer:"+sdp followed
// by one candidate; audio-data comes back as it was sent; it records
// candidates and departures.
type echoAgent struct {
	srv        *Server // broadcasts call-status CONNECTING on each offer
	mu         sync.Mutex
	candidates []string
	left       []string // peerId + " left" or " disconnected"
}

func (a *echoAgent) Offer(_ context.Context, p Peer, offer map[string]any) error {
	sdp, _ := offer["sdp"].(string)
	if sdp == "reject" {
		return Errorf(CodeOfferRejected, "offer: no common audio codec")
	}
	if sdp == "crash" {
		return errors.New("boom")
	}
	a.mu.Lock()
	srv := a.srv
	a.mu.Unlock()
	if srv != nil {
		srv.Broadcast(p.SessionID, "call-status", map[string]any{"callId": p.CallID, "status": "CONNECTING"})
	}
	p.Client.Emit("answer", map[string]any{"peerId": AgentPeerID, "answer": map[string]any{"type": "answer", "sdp": "answer:" + sdp}})
	p.Client.Emit("ice-candidate", map[string]any{"peerId": AgentPeerID, "candidate": map[string]any{"candidate": "candidate:1 1 udp 1 127.0.0.1 9 typ host", "sdpMid": "0", "sdpMLineIndex": 0}})
	return nil
}

func (a *echoAgent) Candidate(_ Peer, c map[string]any) error {
	a.mu.Lock()
	defer a.mu.Unlock()
	s, _ := c["candidate"].(string)
	a.candidates = append(a.candidates, s)
	return nil
}

func (a *echoAgent) Audio(p Peer, d AudioData) error {
	p.Client.Emit("audio-data", AudioEvent(AgentPeerID, d.PCM, d.Timestamp))
	return nil
}

func (a *echoAgent) Leave(p Peer, disconnected bool) {
	a.mu.Lock()
	defer a.mu.Unlock()
	how := " left"
	if disconnected {
		how = " disconnected"
	}
	a.left = append(a.left, p.PeerID+how)
}

// TestNodeClient runs test/signaling (node --test, socket.io-client 4.8)
// against the server mounted on a Fiber app.
func TestNodeClient(t *testing.T) {
	if testing.Short() {
		t.Skip("starts node")
	}
	sessions := fakeSessions{
		"s-live":  {CallID: "call-live", Live: true},
		"s-other": {CallID: "call-other", Live: true},
		"s-ended": {CallID: "call-ended"},
		"s-agent": {CallID: "call-agent", Live: true, Agent: true},
	}
	log := slog.New(slog.NewTextHandler(io.Discard, nil))
	agent := &echoAgent{}
	srv, err := New(sessions, log,
		WithAgent(agent),
		// Heartbeats shorter than the HTTP timeouts below, as in production
		// (25 s ping vs 30 s read / 60 s write timeout).
		WithPing(300*time.Millisecond, time.Second),
		WithRateLimit(100, 256<<10),
		// Engine.IO's own check lets every origin through; ours refuses.
		WithCORSOrigin("*"),
		WithRecovery(5*time.Second),
		WithAllowedOrigins([]string{"http://good.example"}))
	if err != nil {
		t.Fatal(err)
	}
	agent.mu.Lock()
	agent.srv = srv
	agent.mu.Unlock()
	base := serve(t, srv, shortTimeouts)
	keyAgent := &echoAgent{}
	keySrv, err := New(sessions, log, WithAgent(keyAgent), WithGate(fakeGate{}), WithPing(5*time.Second, 5*time.Second))
	if err != nil {
		t.Fatal(err)
	}
	keyAgent.mu.Lock()
	keyAgent.srv = keySrv
	keyAgent.mu.Unlock()
	keyBase := serve(t, keySrv, shortTimeouts)
	// burst.test.mjs's server: production's heartbeat and HTTP timeouts. A
	// 1 s read timeout or ping deadline fails some of hundreds of
	// connections opened at once on a loaded machine, which says nothing
	// about lost events.
	// Its heartbeat (as keySrv's) is longer than the contract server's but
	// not production's 45 s: it bounds the wait for state to be cleaned up
	// below.
	burstSrv, err := New(sessions, log, WithAgent(&echoAgent{}), WithPing(5*time.Second, 5*time.Second))
	if err != nil {
		t.Fatal(err)
	}
	burstBase := serve(t, burstSrv, fiber.Config{ReadTimeout: 30 * time.Second, WriteTimeout: 60 * time.Second})

	runNode(t, []string{"SIGNALING_URL=" + base, "SIGNALING_KEY_URL=" + keyBase, "SIGNALING_BURST_URL=" + burstBase})

	agent.mu.Lock()
	if len(agent.candidates) == 0 || len(agent.left) == 0 {
		t.Errorf("agent saw candidates %q and departures %q; want some of each", agent.candidates, agent.left)
	}
	agent.mu.Unlock()

	// Every peer was cleaned up. A polling client's last disconnect may
	// never reach the server: node exits once the tests have reported,
	// and the close packet's POST may still be in flight. The server then
	// finds out by its heartbeat, so each server gets its ping interval
	// and timeout plus a margin.
	waitCleanedUp(t, "contract", srv, 1300*time.Millisecond)
	waitCleanedUp(t, "key mode", keySrv, 10*time.Second)
	waitCleanedUp(t, "burst", burstSrv, 10*time.Second)
}

// waitCleanedUp fails t unless srv keeps nothing of its clients (members,
// rooms, proxies) within its heartbeat plus a margin.
func waitCleanedUp(t *testing.T, name string, srv *Server, heartbeat time.Duration) {
	t.Helper()
	start := time.Now()
	deadline := start.Add(heartbeat + 10*time.Second)
	for {
		srv.mu.Lock()
		joined, rooms, proxies := len(srv.joined), len(srv.rooms), 0
		if srv.remote != nil {
			proxies = len(srv.remote.proxies)
		}
		srv.mu.Unlock()
		if joined == 0 && rooms == 0 && proxies == 0 {
			if d := time.Since(start); d > time.Second {
				t.Logf("%s server: state cleaned up %v after the clients left", name, d.Round(time.Millisecond))
			}
			return
		}
		if time.Now().After(deadline) {
			t.Errorf("%s server: state left after all clients left: joined=%d rooms=%d proxies=%d", name, joined, rooms, proxies)
			return
		}
		time.Sleep(50 * time.Millisecond)
	}
}

// runNode runs node --test in test/signaling (the official
// socket.io-client 4.8) with env added, on files (default: every test file
// there), and fails t if a test fails.
func runNode(t *testing.T, env []string, files ...string) {
	t.Helper()
	dir, err := filepath.Abs(filepath.Join("..", "..", "test", "signaling"))
	if err != nil {
		t.Fatal(err)
	}
	e2e.NodeTest(t, dir, env, files...)
}

// shortTimeouts are the contract tests' HTTP timeouts: long-lived
// websocket and polling connections must outlive them (the node test idles
// for longer).
var shortTimeouts = fiber.Config{ReadTimeout: time.Second, WriteTimeout: time.Second, IdleTimeout: 2 * time.Second}

// serve mounts srv on a Fiber app with cfg listening on loopback and
// returns its base URL.
func serve(t *testing.T, srv *Server, cfg fiber.Config) string {
	t.Helper()
	cfg.DisableStartupMessage = true
	app := fiber.New(cfg)
	srv.Mount(app)
	app.Use(func(*fiber.Ctx) error { return fiber.ErrNotFound })
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	go func() { _ = app.Listener(ln) }()
	t.Cleanup(func() {
		_ = srv.Close()
		_ = app.ShutdownWithTimeout(5 * time.Second)
	})
	return "http://" + ln.Addr().String()
}
