package e2e

import (
	"context"
	"net/http"
	"testing"
	"time"

	"github.com/pion/webrtc/v4"
	sio "github.com/zishang520/socket.io/clients/socket/v3"

	"github.com/parleyhq/parley/internal/caller"
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
	// Header goes with the Socket.IO handshake (a load balancer's
	// stickiness cookie).
	Header http.Header
	// Via, if not nil, carries the signaling with the official
	// socket.io-client instead of the Go one; Caller.Sock is nil then.
	Via *Bridge
}

// Caller is a browser-like caller in a call's session, the shared
// loopback caller (internal/caller) for a test: the Go Socket.IO client
// joined on /signaling and a loopback Pion peer with an Opus microphone,
// connected to the agent peer by offer, answer and trickled candidates
// both ways.
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

	peer *caller.Peer
}

// Dial joins session on base's /signaling (connect and join within 20 s)
// and offers the caller's peer to the agent with the shared loopback
// caller (caller.Dial, or caller.Offer through o.Via). It returns once the
// answer is applied (WaitConnected waits for ICE and DTLS); the socket and
// the peer close when the test ends.
func Dial(t testing.TB, base, session string, o DialOptions) *Caller {
	t.Helper()
	c := &Caller{Session: session, Peer: o.Peer, Events: o.Events}
	if c.Peer == "" {
		c.Peer = "client-peer"
	}
	if c.Events == nil {
		c.Events = &Events{}
	}
	if o.AnswerTimeout == 0 {
		o.AnswerTimeout = 20 * time.Second
	}
	record := append([]string{"answer", "error"}, o.Record...)
	var err error
	c.Mic, err = newMicTrack()
	if err != nil {
		t.Fatal(err)
	}
	opts := caller.Options{
		Peer: c.Peer, Track: c.Mic, OnTrack: o.OnTrack,
		Join: caller.JoinOptions{
			Timeout: 20 * time.Second,
			Header:  o.Header,
			Setup: func(sock *sio.Socket) {
				c.Events.On(sock, record...)
			},
		},
		AnswerTimeout: o.AnswerTimeout,
		IgnoreAnswer:  o.IgnoreAnswer,
	}
	if o.Via != nil {
		c.peer, err = o.Via.offer(base, session, c.Events, record, opts)
	} else {
		c.peer, err = caller.Dial(context.Background(), base, session, opts)
	}
	if err != nil {
		t.Fatalf("dial session %s: %v", session, err)
	}
	t.Cleanup(c.peer.Close)
	c.Sock, c.PC, c.Answer = c.peer.Socket(), c.peer.PC, c.peer.Answer
	return c
}

// WaitConnected waits for the peer connection to connect, failing the
// test after within.
func (c *Caller) WaitConnected(t testing.TB, within time.Duration) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), within)
	defer cancel()
	if err := c.peer.WaitConnected(ctx); err != nil {
		t.Fatalf("WebRTC did not connect: %v", err)
	}
}
