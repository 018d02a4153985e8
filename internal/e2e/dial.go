package e2e

import (
	"encoding/json"
	"sync"
	"testing"
	"time"

	"github.com/pion/webrtc/v4"
	sio "github.com/zishang520/socket.io/clients/socket/v3"
)

// DialOptions tune Dial.
type DialOptions struct {
	// Peer is the caller's signaling peer id (default "client-peer").
	Peer string
	// Events records the session's events (default: a new Events).
	Events *Events
	// Record names the events to record beyond `answer` and `error`.
	Record []string
	// OnTrack reads the agent's audio track until it ends (default: read
	// and drop).
	OnTrack func(*webrtc.TrackRemote)
	// AnswerTimeout bounds the wait for the answer (default 20 s).
	AnswerTimeout time.Duration
	// IgnoreAnswer sends the offer and waits for the answer, but trickles
	// nothing and applies nothing, as a client whose network blocks the
	// media would: the call stays CONNECTING.
	IgnoreAnswer bool
}

// Caller is a browser-like caller in a call's session: the Go Socket.IO
// client joined on /signaling and a loopback Pion peer (LoopbackPeer)
// with an Opus microphone, connected to the agent peer by offer, answer
// and trickled candidates both ways.
type Caller struct {
	// Session and Peer are the session joined and the caller's peer id.
	Session, Peer string
	// Sock is the signaling connection; PC and Mic the peer and its
	// microphone track (nothing is sent on it unless the test does).
	Sock *sio.Socket
	PC   *webrtc.PeerConnection
	Mic  *webrtc.TrackLocalStaticSample
	// Events are the session's events recorded (DialOptions.Record).
	Events *Events
	// Answer is the `answer` event's payload.
	Answer map[string]any

	connected chan struct{}
}

// Dial joins session on base's /signaling (JoinSession) and offers the
// caller's peer to the agent. It returns once the answer is applied
// (WaitConnected waits for ICE and DTLS); the socket and the peer close
// when the test ends.
func Dial(t testing.TB, base, session string, o DialOptions) *Caller {
	t.Helper()
	c := &Caller{Session: session, Peer: o.Peer, Events: o.Events, connected: make(chan struct{})}
	if c.Peer == "" {
		c.Peer = "client-peer"
	}
	if c.Events == nil {
		c.Events = &Events{}
	}
	if o.AnswerTimeout == 0 {
		o.AnswerTimeout = 20 * time.Second
	}
	done := make(chan struct{})
	t.Cleanup(func() { close(done) })
	candidates := make(chan map[string]any, 256)
	c.Sock = JoinSession(t, base, session, c.Peer, func(sock *sio.Socket) {
		c.Events.On(sock, append([]string{"answer", "error"}, o.Record...)...)
		_ = sock.On("ice-candidate", func(args ...any) {
			select {
			case candidates <- firstMap(args):
			default:
			}
		})
	})

	c.PC, c.Mic = LoopbackPeer(t)
	onTrack := o.OnTrack
	if onTrack == nil {
		onTrack = drainTrack
	}
	c.PC.OnTrack(func(tr *webrtc.TrackRemote, _ *webrtc.RTPReceiver) { onTrack(tr) })
	c.PC.OnICECandidate(func(cand *webrtc.ICECandidate) {
		if cand != nil && !o.IgnoreAnswer {
			_ = c.Sock.Emit("ice-candidate", map[string]any{"sessionId": session, "peerId": c.Peer, "candidate": cand.ToJSON()})
		}
	})
	var once sync.Once
	c.PC.OnConnectionStateChange(func(s webrtc.PeerConnectionState) {
		if s == webrtc.PeerConnectionStateConnected {
			once.Do(func() { close(c.connected) })
		}
	})
	offer, err := c.PC.CreateOffer(nil)
	if err != nil {
		t.Fatal(err)
	}
	if err := c.PC.SetLocalDescription(offer); err != nil {
		t.Fatal(err)
	}
	if err := c.Sock.Emit("offer", map[string]any{"sessionId": session, "peerId": c.Peer, "offer": offer}); err != nil {
		t.Fatalf("offer: %v", err)
	}
	c.Answer = c.Events.Wait(t, "answer", 1, nil, o.AnswerTimeout)
	if o.IgnoreAnswer {
		return c
	}
	sdp, _ := c.Answer["answer"].(map[string]any)
	text, _ := sdp["sdp"].(string)
	if err := c.PC.SetRemoteDescription(webrtc.SessionDescription{Type: webrtc.SDPTypeAnswer, SDP: text}); err != nil {
		t.Fatalf("answer: %v", err)
	}
	go func() {
		for {
			select {
			case e := <-candidates:
				b, _ := json.Marshal(e["candidate"])
				var cand webrtc.ICECandidateInit
				if json.Unmarshal(b, &cand) == nil {
					_ = c.PC.AddICECandidate(cand)
				}
			case <-done:
				return
			}
		}
	}()
	return c
}

// WaitConnected waits for the peer connection to connect, failing the
// test after within.
func (c *Caller) WaitConnected(t testing.TB, within time.Duration) {
	t.Helper()
	select {
	case <-c.connected:
	case <-time.After(within):
		t.Fatal("WebRTC did not connect")
	}
}

func drainTrack(tr *webrtc.TrackRemote) {
	for {
		if _, _, err := tr.ReadRTP(); err != nil {
			return
		}
	}
}
