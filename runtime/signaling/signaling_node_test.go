package signaling

import (
	"context"
	"errors"
	"io"
	"log/slog"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/gofiber/fiber/v2"
)

// fakeSessions knows sessions by id, and every id starting with
// "s-burst-agent-" or "s-burst-live-" (test/signaling/burst.test.mjs) as a
// live agent or person-to-person session.
type fakeSessions map[string]Session

func (f fakeSessions) Lookup(_ context.Context, id string) (Session, error) {
	switch {
	case strings.HasPrefix(id, "s-burst-agent-"):
		return Session{CallID: "call-" + id, Live: true, Agent: true}, nil
	case strings.HasPrefix(id, "s-burst-live-"):
		return Session{CallID: "call-" + id, Live: true}, nil
	}
	return f[id], nil
}

// echoAgent answers agent sessions for the Node test: an offer with sdp
// "reject" is refused, any other is answered with "answer:"+sdp followed
// by one candidate; audio-data comes back as it was sent; it records
// candidates and departures.
type echoAgent struct {
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
	node, err := exec.LookPath("node")
	if err != nil {
		t.Skip("node not installed")
	}
	dir, err := filepath.Abs(filepath.Join("..", "..", "test", "signaling"))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(filepath.Join(dir, "node_modules", "socket.io-client")); err != nil {
		cmd := exec.Command("npm", "ci", "--no-audit", "--no-fund")
		cmd.Dir = dir
		if out, err := cmd.CombinedOutput(); err != nil {
			t.Fatalf("npm ci: %v\n%s", err, out)
		}
	}

	// The contract tests' server: heartbeats shorter than the HTTP timeouts,
	// as in production (25 s ping vs 30 s read / 60 s write timeout), and
	// short HTTP timeouts, which long-lived websocket and polling
	// connections must outlive (the node test idles for longer).
	agent, srv, addr := serveNode(t, fiber.Config{
		ReadTimeout:  time.Second,
		WriteTimeout: time.Second,
		IdleTimeout:  2 * time.Second,
	}, WithPing(300*time.Millisecond, time.Second))
	// burst.test.mjs's server: production's heartbeat and HTTP timeouts. A
	// 1 s read timeout or ping deadline fails some of hundreds of
	// connections opened at once on a loaded machine, which says nothing
	// about lost events.
	_, burstSrv, burstAddr := serveNode(t, fiber.Config{
		ReadTimeout:  30 * time.Second,
		WriteTimeout: 60 * time.Second,
	})

	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	args := []string{"--test", "--test-reporter=spec"}
	// Once every test has reported, exit even if a socket's handle keeps
	// the event loop alive (seen once under load: all tests passed, then
	// node hung until the deadline). Node 20.10+ has the flag.
	if help, err := exec.Command(node, "--help").Output(); err == nil && strings.Contains(string(help), "--test-force-exit") {
		args = append(args, "--test-force-exit")
	}
	cmd := exec.CommandContext(ctx, node, args...)
	cmd.Dir = dir
	cmd.Env = append(os.Environ(), "SIGNALING_URL=http://"+addr, "SIGNALING_BURST_URL=http://"+burstAddr)
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("node --test: %v\n%s", err, out)
	}
	t.Logf("node --test:\n%s", out)

	agent.mu.Lock()
	if len(agent.candidates) == 0 || len(agent.left) == 0 {
		t.Errorf("agent saw candidates %q and departures %q; want some of each", agent.candidates, agent.left)
	}
	agent.mu.Unlock()

	// Every peer was cleaned up (disconnects of polling clients may still
	// be under way).
	for _, srv := range []*Server{srv, burstSrv} {
		deadline := time.Now().Add(10 * time.Second)
		for {
			srv.mu.Lock()
			joined, rooms := len(srv.joined), len(srv.rooms)
			srv.mu.Unlock()
			if joined == 0 && rooms == 0 {
				break
			}
			if time.Now().After(deadline) {
				t.Errorf("state left after all clients left: joined=%d rooms=%d", joined, rooms)
				break
			}
			time.Sleep(50 * time.Millisecond)
		}
	}
}

// serveNode starts a signaling server with the Node tests' sessions and an
// echo agent on a Fiber app with cfg, on a loopback port.
func serveNode(t *testing.T, cfg fiber.Config, opts ...Option) (*echoAgent, *Server, string) {
	t.Helper()
	agent := &echoAgent{}
	srv, err := New(fakeSessions{
		"s-live":  {CallID: "call-live", Live: true},
		"s-other": {CallID: "call-other", Live: true},
		"s-ended": {CallID: "call-ended"},
		"s-agent": {CallID: "call-agent", Live: true, Agent: true},
	},
		slog.New(slog.NewTextHandler(io.Discard, nil)),
		append([]Option{WithAgent(agent)}, opts...)...)
	if err != nil {
		t.Fatal(err)
	}
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
	return agent, srv, ln.Addr().String()
}
