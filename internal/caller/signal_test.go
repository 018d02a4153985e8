package caller

import (
	"context"
	"errors"
	"sync"
	"testing"
	"time"
)

// recorder is a Transport that records what is emitted.
type recorder struct {
	mu     sync.Mutex
	emits  []string
	closed bool
}

func (r *recorder) Emit(event string, _ map[string]any) error {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.emits = append(r.emits, event)
	return nil
}

func (r *recorder) Close() {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.closed = true
}

// TestSignalOverTransport checks a Signal driven through another client:
// its join and offer go out through the Transport, and the events given
// to Deliver (as JSON decodes them) answer them.
func TestSignalOverTransport(t *testing.T) {
	tr := &recorder{}
	s := NewSignal("caller", tr)
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()

	go s.Deliver("joined-session", map[string]any{"sessionId": "s1", "peerId": "caller"})
	if err := s.Join(ctx, "s1"); err != nil {
		t.Fatal(err)
	}
	if err := s.EmitOffer("s1", "v=0"); err != nil {
		t.Fatal(err)
	}
	// Our own echo is skipped; the agent's answer is taken.
	s.Deliver("answer", map[string]any{"peerId": "caller", "answer": map[string]any{"type": "answer", "sdp": "mine"}})
	s.Deliver("answer", map[string]any{"peerId": "agent", "answer": map[string]any{"type": "answer", "sdp": "v=0 agent"}})
	ans, _, err := s.AwaitAnswer(ctx)
	if err != nil || ans.SDP != "v=0 agent" {
		t.Fatalf("answer %+v, %v", ans, err)
	}
	// A candidate's sdpMLineIndex arrives as a JSON number (float64).
	s.Deliver("ice-candidate", map[string]any{"peerId": "agent", "candidate": map[string]any{
		"candidate": "candidate:1 1 udp 1 127.0.0.1 5000 typ host", "sdpMid": "0", "sdpMLineIndex": float64(0),
	}})
	select {
	case c := <-s.Candidates():
		if c.SDPMLineIndex == nil || *c.SDPMLineIndex != 0 || c.SDPMid == nil || *c.SDPMid != "0" {
			t.Fatalf("candidate %+v", c)
		}
	case <-ctx.Done():
		t.Fatal("no candidate")
	}
	s.Close()
	tr.mu.Lock()
	if got := tr.emits; len(got) != 2 || got[0] != "join-session" || got[1] != "offer" || !tr.closed {
		t.Fatalf("emitted %v, closed %v", got, tr.closed)
	}
	tr.mu.Unlock()

	// A server error fails the wait; so does the connection closing.
	s.Deliver("error", map[string]any{"code": "SESSION_NOT_FOUND", "message": "no such session"})
	var se *ServerError
	if err := s.Join(ctx, "s2"); !errors.As(err, &se) || se.Code != "SESSION_NOT_FOUND" {
		t.Fatalf("join after an error event: %v", err)
	}
	s.Deliver("disconnect", "transport close")
	if _, _, err := s.AwaitAnswer(ctx); !errors.Is(err, ErrClosed) {
		t.Fatalf("answer after disconnect: %v", err)
	}
}
