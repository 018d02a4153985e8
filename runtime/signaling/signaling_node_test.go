package signaling

import (
	"context"
	"io"
	"log/slog"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"testing"
	"time"

	"github.com/gofiber/fiber/v2"
)

// fakeSessions knows sessions by id: true = live, false = ended.
type fakeSessions map[string]bool

func (f fakeSessions) Lookup(_ context.Context, id string) (string, bool, error) {
	live, ok := f[id]
	if !ok {
		return "", false, nil
	}
	return "call-" + id, live, nil
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

	srv, err := New(fakeSessions{"s-live": true, "s-other": true, "s-ended": false},
		slog.New(slog.NewTextHandler(io.Discard, nil)),
		// Heartbeats shorter than the HTTP timeouts below, as in production
		// (25 s ping vs 30 s read / 60 s write timeout).
		WithPing(300*time.Millisecond, time.Second))
	if err != nil {
		t.Fatal(err)
	}
	// Short HTTP timeouts: long-lived websocket and polling connections
	// must outlive them (the node test idles for longer).
	app := fiber.New(fiber.Config{
		DisableStartupMessage: true,
		ReadTimeout:           time.Second,
		WriteTimeout:          time.Second,
		IdleTimeout:           2 * time.Second,
	})
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

	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, node, "--test", "--test-reporter=spec")
	cmd.Dir = dir
	cmd.Env = append(os.Environ(), "SIGNALING_URL=http://"+ln.Addr().String())
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("node --test: %v\n%s", err, out)
	}
	t.Logf("node --test:\n%s", out)

	// Every peer was cleaned up.
	srv.mu.Lock()
	defer srv.mu.Unlock()
	if len(srv.joined) != 0 || len(srv.rooms) != 0 {
		t.Errorf("state left after all clients left: joined=%d rooms=%v", len(srv.joined), srv.rooms)
	}
}
