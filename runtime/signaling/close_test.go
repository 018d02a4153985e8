package signaling

import (
	"context"
	"io"
	"log/slog"
	"sync"
	"testing"
	"time"

	sio "github.com/zishang520/socket.io/clients/socket/v3"

	"github.com/parleyhq/parley/internal/sioclient"
)

// TestCloseDeliversQueuedEvents: the events broadcast just before Close
// (a shutdown's last call-status ENDED) reach the client before its
// connection closes. The server's own Close discarded the queue.
func TestCloseDeliversQueuedEvents(t *testing.T) {
	if testing.Short() {
		t.Skip("loopback Socket.IO")
	}
	srv, err := New(fakeSessions{"s-live": {CallID: "call-live", Live: true}}, slog.New(slog.NewTextHandler(io.Discard, nil)))
	if err != nil {
		t.Fatal(err)
	}
	base := serve(t, srv, shortTimeouts)
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	var mu sync.Mutex
	var got []float64
	disconnected := make(chan struct{})
	joined := make(chan struct{}, 1)
	sock, err := sioclient.Connect(ctx, base, func(s *sio.Socket) {
		_ = s.On("joined-session", func(...any) { joined <- struct{}{} })
		_ = s.On("call-status", func(args ...any) {
			if m, ok := first[map[string]any](args); ok {
				n, _ := m["n"].(float64)
				mu.Lock()
				got = append(got, n)
				mu.Unlock()
			}
		})
		_ = s.On("disconnect", func(...any) { close(disconnected) })
	})
	if err != nil {
		t.Fatal(err)
	}
	defer sock.Disconnect()
	sock.Emit("join-session", map[string]any{"sessionId": "s-live", "peerId": "caller"})
	select {
	case <-joined:
	case <-ctx.Done():
		t.Fatal("not joined")
	}
	const events = 500 // enough to be queued when Close comes
	for i := 1; i <= events; i++ {
		srv.Broadcast("s-live", "call-status", map[string]any{"callId": "call-live", "status": "ENDED", "n": i})
	}
	if err := srv.Close(); err != nil {
		t.Fatal(err)
	}
	select {
	case <-disconnected:
	case <-ctx.Done():
		t.Fatal("the client was not disconnected")
	}
	// The client's handlers may still be running when it reports the
	// disconnection; what was lost does not come later.
	count := func() (int, float64) {
		mu.Lock()
		defer mu.Unlock()
		if len(got) == 0 {
			return 0, 0
		}
		return len(got), got[len(got)-1]
	}
	for deadline := time.Now().Add(5 * time.Second); time.Now().Before(deadline); time.Sleep(20 * time.Millisecond) {
		if n, _ := count(); n == events {
			break
		}
	}
	if n, last := count(); n != events || last != events {
		t.Fatalf("the client got %d of %d events before the server closed (last %v)", n, events, last)
	}
}
