package e2e

import (
	"context"
	"net"
	"os"
	"sync"
	"testing"
	"time"

	"github.com/pion/ice/v4"
	"github.com/pion/webrtc/v4"
	sio "github.com/zishang520/socket.io/clients/socket/v3"

	"github.com/parleyhq/parley/internal/sioclient"
	"github.com/parleyhq/parley/runtime/audio"
)

// LoopbackPeer returns a caller's Pion peer that gathers loopback host
// candidates only (no mDNS, UDP4), with an Opus microphone track added;
// the peer is closed when the test ends.
func LoopbackPeer(t testing.TB) (*webrtc.PeerConnection, *webrtc.TrackLocalStaticSample) {
	t.Helper()
	var se webrtc.SettingEngine
	se.SetICEMulticastDNSMode(ice.MulticastDNSModeDisabled)
	se.SetNetworkTypes([]webrtc.NetworkType{webrtc.NetworkTypeUDP4})
	se.SetIncludeLoopbackCandidate(true)
	se.SetIPFilter(func(ip net.IP) bool { return ip.IsLoopback() })
	me := &webrtc.MediaEngine{}
	if err := me.RegisterDefaultCodecs(); err != nil {
		t.Fatal(err)
	}
	pc, err := webrtc.NewAPI(webrtc.WithSettingEngine(se), webrtc.WithMediaEngine(me)).NewPeerConnection(webrtc.Configuration{})
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

// Speech48k returns flite's reading of text (voice slt, which pocketsphinx
// hears well) as 48 kHz samples, ready to Opus-encode.
func Speech48k(t testing.TB, text string) []int16 {
	t.Helper()
	data, err := os.ReadFile(FliteWAV(t, text, 0, 0))
	if err != nil {
		t.Fatal(err)
	}
	pcm, _, err := audio.Decode(data, "audio/wav")
	if err != nil {
		t.Fatal(err)
	}
	if pcm, err = audio.Resample(pcm, 48000); err != nil {
		t.Fatal(err)
	}
	return pcm.Samples
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
