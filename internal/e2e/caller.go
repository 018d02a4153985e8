package e2e

import (
	"context"
	"sync"
	"testing"
	"time"

	"github.com/pion/webrtc/v4"
	sio "github.com/zishang520/socket.io/clients/socket/v3"

	"github.com/parleyhq/parley/internal/loopback"
	"github.com/parleyhq/parley/internal/sioclient"
)

// LoopbackPeer returns a caller's Pion peer (loopback.NewAPI, Pion's
// default codecs) with an Opus microphone track added; the peer is closed
// when the test ends.
func LoopbackPeer(t testing.TB) (*webrtc.PeerConnection, *webrtc.TrackLocalStaticSample) {
	t.Helper()
	api, err := loopback.NewAPI(nil, nil)
	if err != nil {
		t.Fatal(err)
	}
	pc, err := api.NewPeerConnection(webrtc.Configuration{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = pc.Close() })
	mic, err := webrtc.NewTrackLocalStaticSample(webrtc.RTPCodecCapability{MimeType: webrtc.MimeTypeOpus, ClockRate: 48000, Channels: 2}, "mic", "caller")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := pc.AddTrack(mic); err != nil {
		t.Fatal(err)
	}
	return pc, mic
}

// ConnectSignaling connects the Go Socket.IO client, within timeout, to
// base's /signaling over a websocket (sioclient.Connect); setup, if not
// nil, registers handlers before the namespace connects.
func ConnectSignaling(base string, timeout time.Duration, setup func(*sio.Socket)) (*sio.Socket, error) {
	ctx, cancel := context.WithTimeout(context.Background(), timeout)
	defer cancel()
	return sioclient.Connect(ctx, base, setup)
}

// JoinSession connects to base's /signaling (on, if not nil, registers its
// handlers first) and joins session as peer, once: a join that is not
// confirmed within 10 s fails the test. Tests never join again on a new
// connection: that hid the lost set-up a browser, which does not retry,
// suffered (issue 11; runtime/signaling/connectgate.go).
func JoinSession(t testing.TB, base, session, peer string, on func(*sio.Socket)) *sio.Socket {
	t.Helper()
	joined := make(chan struct{})
	var once sync.Once
	sock, err := ConnectSignaling(base, 10*time.Second, func(sock *sio.Socket) {
		if on != nil {
			on(sock)
		}
		_ = sock.On("joined-session", func(...any) { once.Do(func() { close(joined) }) })
	})
	if err != nil {
		t.Fatalf("socket.io connect: %v", err)
	}
	t.Cleanup(func() { sock.Disconnect() })
	if err := sock.Emit("join-session", map[string]any{"sessionId": session, "peerId": peer}); err != nil {
		t.Fatalf("join-session: %v", err)
	}
	select {
	case <-joined:
	case <-time.After(10 * time.Second):
		t.Fatal("join-session was not confirmed")
	}
	return sock
}
