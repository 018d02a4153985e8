package caller

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"sync"
	"sync/atomic"
	"time"

	"github.com/pion/webrtc/v4"
	sio "github.com/zishang520/socket.io/clients/socket/v3"
	"github.com/zishang520/socket.io/v3/pkg/types"

	"github.com/parleyhq/parley/internal/sioclient"
)

// Signal is one call's own Socket.IO connection to /signaling: the Go
// client over websocket (Join), or another client that a test drives
// through a Transport (NewSignal: the official socket.io-client in
// internal/e2e's Bridge). Events are handled on the client's goroutines
// and never block: those the call waits for go to a buffered channel,
// remote ICE candidates and agent-speaking events to their own. A channel
// that is full drops what comes next.
type Signal struct {
	sock       *sio.Socket // the Go client's, nil with another Transport
	tr         Transport
	events     chan event
	candidates chan webrtc.ICECandidateInit
	speaking   chan SpeakingEvent
	peerID     string
	// closeReason is why the connection closed, if it did; gone is closed
	// then.
	closeReason atomic.Value
	gone        chan struct{}
	goneOnce    sync.Once
}

// Transport carries a Signal's emits to the server and closes its
// connection; whoever drives it hands the server's events to
// Signal.Deliver.
type Transport interface {
	// Emit sends one event with its payload.
	Emit(event string, data map[string]any) error
	// Close disconnects from the server.
	Close()
}

// sioTransport is the Go Socket.IO client's socket as a Transport.
type sioTransport struct{ sock *sio.Socket }

func (t sioTransport) Emit(event string, data map[string]any) error {
	return t.sock.Emit(event, data)
}

func (t sioTransport) Close() { t.sock.Disconnect() }

// NewSignal returns a Signal for peerID whose emits go through tr, and
// which handles the server events given to Deliver.
func NewSignal(peerID string, tr Transport) *Signal {
	return &Signal{
		tr:         tr,
		events:     make(chan event, 64),
		candidates: make(chan webrtc.ICECandidateInit, 64),
		speaking:   make(chan SpeakingEvent, 256),
		peerID:     peerID,
		gone:       make(chan struct{}),
	}
}

// Deliver handles one server event with its payload (a JSON object, or
// for `disconnect` the reason): joined-session, answer, error,
// ice-candidate, agent-speaking and disconnect matter, others are ignored.
func (s *Signal) Deliver(name string, data any) {
	s.receive(name, []any{data})
}

// signalEvents are the events a Signal handles.
var signalEvents = []string{"joined-session", "answer", "error", "ice-candidate", "agent-speaking", "disconnect"}

// receive handles one server event, its arguments as a client library
// gives them.
func (s *Signal) receive(name string, args []any) {
	switch name {
	case "agent-speaking":
		at := time.Now()
		data, _ := First[map[string]any](args)
		state, _ := data["state"].(string)
		select {
		case s.speaking <- SpeakingEvent{State: state, At: at}:
		default: // nobody reads them this run
		}
	case "joined-session", "answer", "error":
		s.push(name, args)
	case "ice-candidate":
		s.onCandidate(args)
	case "disconnect":
		s.closeReason.Store(fmt.Sprint(args...))
		s.goneOnce.Do(func() { close(s.gone) })
	}
}

// joinTimeout bounds the connection, and then join-session ->
// joined-session, when JoinOptions.Timeout is zero.
const joinTimeout = 10 * time.Second

// JoinOptions tune Join.
type JoinOptions struct {
	// Counts, if not nil, counts every server event.
	Counts *EventCounts
	// Setup, if not nil, registers the caller's own handlers on the
	// socket before it connects (events sent right after the connection
	// would otherwise be missed).
	Setup func(*sio.Socket)
	// Timeout bounds the connection and the join together (default 10 s).
	Timeout time.Duration
	// Header goes with the connection's handshake (a load balancer's
	// stickiness cookie, to reach one instance).
	Header http.Header
}

// Join connects to base+/signaling as peerID and joins
// sessionID, once: a join that is not confirmed is an error (the server
// used to drop events sent right after connecting, and this retried on a
// new connection, which hid what a browser suffered; see
// runtime/signaling/connectgate.go). reopened counts the Engine.IO
// connections the Go client library opened again before anything of
// Socket.IO was sent (sioclient explains why). An `error` event is a
// *ServerError. The caller closes the client.
func Join(ctx context.Context, base, sessionID, peerID string, o JoinOptions) (s *Signal, reopened int, err error) {
	if o.Timeout == 0 {
		o.Timeout = joinTimeout
	}
	cctx, cancel := context.WithTimeout(ctx, o.Timeout)
	defer cancel()
	s, reopened, err = dial(cctx, base, peerID, o)
	if err != nil {
		return nil, reopened, err
	}
	if err := s.Join(cctx, sessionID); err != nil {
		s.Close()
		return nil, reopened, err
	}
	return s, reopened, nil
}

// dial connects to base+/signaling and waits for the namespace to accept
// the connection.
func dial(ctx context.Context, base, peerID string, o JoinOptions) (*Signal, int, error) {
	s := NewSignal(peerID, nil)
	sock, reopened, err := sioclient.ConnectCounted(ctx, base, o.Header, func(sock *sio.Socket) {
		if o.Setup != nil {
			o.Setup(sock)
		}
		if o.Counts != nil {
			sock.OnAny(func(args ...any) {
				if name, ok := First[string](args); ok {
					o.Counts.Add(name)
				}
			})
		}
		for _, name := range signalEvents {
			_ = sock.On(types.EventName(name), func(args ...any) { s.receive(name, args) })
		}
	})
	if err != nil {
		return nil, reopened, err
	}
	s.sock, s.tr = sock, sioTransport{sock}
	return s, reopened, nil
}

func (s *Signal) push(name string, args []any) {
	data, _ := First[map[string]any](args)
	select {
	case s.events <- event{Name: name, Data: data}:
	default: // nobody is waiting for that many events
	}
}

// onCandidate queues a remote candidate {peerId, candidate:{candidate,
// sdpMid, sdpMLineIndex}} from any peer but ourselves.
func (s *Signal) onCandidate(args []any) {
	data, _ := First[map[string]any](args)
	if from, _ := data["peerId"].(string); from == s.peerID {
		return
	}
	raw, err := json.Marshal(data["candidate"])
	if err != nil {
		return
	}
	var c webrtc.ICECandidateInit
	if json.Unmarshal(raw, &c) != nil || c.Candidate == "" {
		return // end-of-candidates or malformed
	}
	select {
	case s.candidates <- c:
	default:
	}
}

// wait returns the next event called name, failing on an `error` event.
func (s *Signal) wait(ctx context.Context, name string) (map[string]any, error) {
	for {
		select {
		case ev := <-s.events:
			if ev.Name == "error" {
				code, _ := ev.Data["code"].(string)
				msg, _ := ev.Data["message"].(string)
				return nil, &ServerError{Code: code, Message: msg}
			}
			if from, _ := ev.Data["peerId"].(string); ev.Name != name || (name == "answer" && from == s.peerID) {
				continue
			}
			return ev.Data, nil
		case <-s.gone:
			return nil, fmt.Errorf("waiting for %s: %w: %v", name, ErrClosed, s.closeReason.Load())
		case <-ctx.Done():
			return nil, fmt.Errorf("waiting for %s: %w", name, ctx.Err())
		}
	}
}

// Join emits join-session and waits for joined-session, failing on an
// `error` event (a *ServerError), the connection closing (ErrClosed) or
// ctx ending.
func (s *Signal) Join(ctx context.Context, sessionID string) error {
	if err := s.tr.Emit("join-session", map[string]any{"sessionId": sessionID, "peerId": s.peerID}); err != nil {
		return err
	}
	_, err := s.wait(ctx, "joined-session")
	return err
}

// EmitOffer sends the offer {type:"offer", sdp}.
func (s *Signal) EmitOffer(sessionID string, sdp string) error {
	return s.tr.Emit("offer", map[string]any{
		"sessionId": sessionID, "peerId": s.peerID,
		"offer": map[string]any{"type": "offer", "sdp": sdp},
	})
}

// AwaitAnswer waits for {peerId, answer:{type:"answer", sdp}}, returning
// the answer and the event's payload; it fails on an `error` event, the
// connection closing (ErrClosed) or ctx ending.
func (s *Signal) AwaitAnswer(ctx context.Context) (webrtc.SessionDescription, map[string]any, error) {
	data, err := s.wait(ctx, "answer")
	if err != nil {
		return webrtc.SessionDescription{}, nil, err
	}
	ans, _ := data["answer"].(map[string]any)
	sdp, _ := ans["sdp"].(string)
	if typ, _ := ans["type"].(string); typ != "answer" || sdp == "" {
		return webrtc.SessionDescription{}, data, errors.New("answer without type answer and an sdp")
	}
	return webrtc.SessionDescription{Type: webrtc.SDPTypeAnswer, SDP: sdp}, data, nil
}

// EmitCandidate trickles one local candidate.
func (s *Signal) EmitCandidate(sessionID string, c webrtc.ICECandidateInit) error {
	cand := map[string]any{"candidate": c.Candidate}
	if c.SDPMid != nil {
		cand["sdpMid"] = *c.SDPMid
	}
	if c.SDPMLineIndex != nil {
		cand["sdpMLineIndex"] = *c.SDPMLineIndex
	}
	return s.tr.Emit("ice-candidate", map[string]any{"sessionId": sessionID, "peerId": s.peerID, "candidate": cand})
}

// Candidates delivers the remote ICE candidates, other peers' only.
func (s *Signal) Candidates() <-chan webrtc.ICECandidateInit { return s.candidates }

// Speaking delivers the agent-speaking events, each dated when it arrived.
func (s *Signal) Speaking() <-chan SpeakingEvent { return s.speaking }

// Socket is the Go client's Socket.IO connection, for the caller's own
// emits; nil for a Signal made by NewSignal.
func (s *Signal) Socket() *sio.Socket { return s.sock }

// Close disconnects from the server.
func (s *Signal) Close() { s.tr.Close() }
