package signaling

import (
	"context"
	"io"
	"log/slog"
	"strings"
	"testing"
	"time"

	sio "github.com/zishang520/socket.io/clients/socket/v3"
	"github.com/zishang520/socket.io/v3/pkg/types"

	"github.com/parleyhq/parley/internal/bustest"
	"github.com/parleyhq/parley/internal/sioclient"
	"github.com/parleyhq/parley/runtime/bus"
)

// The instance ids of TestAcrossInstances: A's has what a bus subject may
// not (a host name's dots).
const (
	instanceA = "host-a.example.com-1f2e"
	instanceB = "host-b"
)

// ownedSessions are fakeSessions whose agent and relay sessions are owned
// by owner, and "s-ghost" by an instance that is not running.
type ownedSessions struct {
	fakeSessions
	owner string
}

func (o ownedSessions) Lookup(ctx context.Context, id string) (Session, error) {
	if id == "s-ghost" {
		return Session{CallID: "call-ghost", Live: true, Owner: "ghost"}, nil
	}
	s, err := o.fakeSessions.Lookup(ctx, id)
	if s.CallID != "" {
		s.Owner = o.owner
	}
	return s, err
}

// instance starts a signaling server with an echo agent on its own bus
// connection to nats and returns it, its bus and its base URL.
func instance(t *testing.T, nats *bustest.Server, id string, sessions Sessions) (*Server, *bus.Bus, string) {
	srv, b, base, _ := instanceWithAgent(t, nats, id, sessions)
	return srv, b, base
}

func instanceWithAgent(t *testing.T, nats *bustest.Server, id string, sessions Sessions) (*Server, *bus.Bus, string, *echoAgent) {
	t.Helper()
	b := nats.Connect(t, id)
	agent := &echoAgent{}
	srv, err := New(sessions, slog.New(slog.NewTextHandler(io.Discard, nil)), WithAgent(agent), WithBus(b, id),
		WithPing(300*time.Millisecond, time.Second))
	if err != nil {
		t.Fatal(err)
	}
	agent.mu.Lock()
	agent.srv = srv
	agent.mu.Unlock()
	return srv, b, serve(t, srv, shortTimeouts), agent
}

// TestAcrossInstances runs test/signaling/instances.test.mjs (the official
// client) against two servers sharing sessions over a real NATS, then
// checks that both keep nothing once the clients left.
func TestAcrossInstances(t *testing.T) {
	if testing.Short() {
		t.Skip("starts nats-server and node")
	}
	nats := bustest.NATS(t)
	sessions := ownedSessions{fakeSessions{}, instanceA}
	a, _, baseA, agentA := instanceWithAgent(t, nats, instanceA, sessions)
	b, _, baseB, agentB := instanceWithAgent(t, nats, instanceB, sessions)
	runNode(t, []string{"SIGNALING_A_URL=" + baseA, "SIGNALING_B_URL=" + baseB}, "instances.test.mjs")
	// The agent calls were A's: B's agent saw none of them.
	agentA.mu.Lock()
	agentB.mu.Lock()
	if len(agentA.left) == 0 || len(agentB.left) != 0 {
		t.Errorf("departures seen by A's agent %q and B's %q; want all on A", agentA.left, agentB.left)
	}
	agentB.mu.Unlock()
	agentA.mu.Unlock()
	waitCleanedUp(t, "A", a, 1300*time.Millisecond)
	waitCleanedUp(t, "B", b, 1300*time.Millisecond)
}

// TestInstanceLost: when an instance's connection to the bus is gone, the
// owner drops the members it held (as disconnected) and the edge tells its
// sockets whose session it held.
func TestInstanceLost(t *testing.T) {
	if testing.Short() {
		t.Skip("starts nats-server")
	}
	nats := bustest.NATS(t)
	sessions := ownedSessions{fakeSessions{}, instanceA}
	a, busA, baseA := instance(t, nats, instanceA, sessions)
	b, busB, baseB := instance(t, nats, instanceB, sessions)

	// An agent caller on A, and an observer of its session on B; a
	// person-to-person peer on B of another session A owns.
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	events := make(chan string, 16)
	type joinedSock struct {
		*sio.Socket
		token string // its resumeToken (callers of agent sessions)
	}
	join := func(base, session, peer string, observer bool) joinedSock {
		t.Helper()
		joined := make(chan string, 1)
		sock, err := sioclient.Connect(ctx, base, func(s *sio.Socket) {
			_ = s.On("joined-session", func(args ...any) {
				m, _ := first[map[string]any](args)
				tok, _ := m["resumeToken"].(string)
				joined <- tok
			})
			for _, e := range []types.EventName{"peer-disconnected", "error"} {
				_ = s.On(e, func(args ...any) {
					m, _ := first[map[string]any](args)
					code, _ := m["code"].(string)
					events <- peer + " " + string(e) + " " + code
				})
			}
		})
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { sock.Disconnect() })
		sock.Emit("join-session", map[string]any{"sessionId": session, "peerId": peer, "observer": observer})
		select {
		case tok := <-joined:
			return joinedSock{sock, tok}
		case <-ctx.Done():
			t.Fatalf("%s did not join %s", peer, session)
			return joinedSock{}
		}
	}
	join(baseA, "s-agent-lost", "caller", false)
	join(baseB, "s-agent-lost", "watcher", true)
	join(baseB, "s-relay-lost", "far", false)
	resume := join(baseB, "s-agent-resume", "far-caller", false)
	a.mu.Lock()
	members := len(a.joined)
	a.mu.Unlock()
	if members != 4 {
		t.Fatalf("A holds %d members, want 4 (one its own, three of B's)", members)
	}

	// B's connection to the bus goes (as when B dies): A drops B's two
	// members, and the caller on A hears the watcher disconnect.
	start := time.Now()
	_ = busB.Close()
	waitFor(t, ctx, events, "caller peer-disconnected ")
	for {
		a.mu.Lock()
		members = len(a.joined)
		a.mu.Unlock()
		if members == 1 {
			break
		}
		if ctx.Err() != nil {
			t.Fatalf("A still holds %d members after B was lost", members)
		}
		time.Sleep(20 * time.Millisecond)
	}
	t.Logf("A dropped B's members %v after B left the bus", time.Since(start).Round(time.Millisecond))

	// The caller whose instance went takes its call back through another
	// one with its resume token; without it the seat is BUSY.
	c, _, baseC := instance(t, nats, "host-c", sessions)
	joinResult := func(args map[string]any) map[string]any {
		t.Helper()
		got := make(chan map[string]any, 1)
		sock, err := sioclient.Connect(ctx, baseC, nil)
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { sock.Disconnect() })
		sock.Timeout(10*time.Second).EmitWithAck("join-session", args)(func(res []any, err error) {
			m, _ := first[map[string]any](res)
			got <- m
		})
		select {
		case m := <-got:
			return m
		case <-ctx.Done():
			t.Fatal("no answer to join-session")
			return nil
		}
	}
	if r := joinResult(map[string]any{"sessionId": "s-agent-resume", "peerId": "far-caller"}); r["ok"] != false {
		t.Fatalf("join without the resume token: %v, want BUSY", r)
	}
	if r := joinResult(map[string]any{"sessionId": "s-agent-resume", "peerId": "far-caller", "resumeToken": resume.token}); r["ok"] != true {
		t.Fatalf("join with the resume token through another instance: %v", r)
	}

	// And the other way: C holds a socket in a session A owns; A's
	// connection to the bus goes; the socket hears INSTANCE_LOST.
	join(baseC, "s-relay-lost-2", "edge", false)
	_ = busA.Close()
	waitFor(t, ctx, events, "edge error "+CodeInstanceLost)
	c.mu.Lock()
	proxies := len(c.remote.proxies)
	c.mu.Unlock()
	if proxies != 0 {
		t.Fatalf("C keeps %d proxies to the lost instance", proxies)
	}
	_ = b
}

// waitFor reads events until one starting with want.
func waitFor(t *testing.T, ctx context.Context, events <-chan string, want string) {
	t.Helper()
	for {
		select {
		case e := <-events:
			if strings.HasPrefix(e, want) {
				return
			}
			t.Logf("event: %s", e)
		case <-ctx.Done():
			t.Fatalf("no %q", want)
		}
	}
}
