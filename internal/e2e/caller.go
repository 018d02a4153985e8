package e2e

import (
	"context"
	"fmt"
	"net"
	"sync"
	"testing"
	"time"

	"github.com/pion/ice/v4"
	"github.com/pion/interceptor"
	"github.com/pion/webrtc/v4"
	sio "github.com/zishang520/socket.io/clients/socket/v3"

	"github.com/parleyhq/parley/internal/sioclient"
)

// NewLoopbackAPI returns a Pion API whose peers gather loopback host
// candidates only (no mDNS, UDP4, loopback IPs), without which Pion gathers
// none on a host with only loopback, with the codecs of me (nil: Pion's
// defaults) and the interceptors of ir (nil: none). It is the set-up of
// every caller that tests and benchmarks run against the runtime.
func NewLoopbackAPI(me *webrtc.MediaEngine, ir *interceptor.Registry) (*webrtc.API, error) {
	if me == nil {
		me = &webrtc.MediaEngine{}
		if err := me.RegisterDefaultCodecs(); err != nil {
			return nil, fmt.Errorf("loopback api: %w", err)
		}
	}
	if ir == nil {
		ir = &interceptor.Registry{}
	}
	var se webrtc.SettingEngine
	se.SetICEMulticastDNSMode(ice.MulticastDNSModeDisabled)
	se.SetNetworkTypes([]webrtc.NetworkType{webrtc.NetworkTypeUDP4})
	se.SetIncludeLoopbackCandidate(true)
	se.SetIPFilter(func(ip net.IP) bool { return ip.IsLoopback() })
	return webrtc.NewAPI(webrtc.WithSettingEngine(se), webrtc.WithMediaEngine(me), webrtc.WithInterceptorRegistry(ir)), nil
}

// LoopbackPeer returns a caller's Pion peer (NewLoopbackAPI, Pion's
// default codecs) with an Opus microphone track added; the peer is closed
// when the test ends.
func LoopbackPeer(t testing.TB) (*webrtc.PeerConnection, *webrtc.TrackLocalStaticSample) {
	t.Helper()
	api, err := NewLoopbackAPI(nil, nil)
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
