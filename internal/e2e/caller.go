package e2e

import (
	"context"
	"testing"
	"time"

	"github.com/pion/webrtc/v4"
	sio "github.com/zishang520/socket.io/clients/socket/v3"

	"github.com/parleyhq/parley/internal/caller"
	"github.com/parleyhq/parley/internal/loopback"
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
	mic, err := newMicTrack()
	if err != nil {
		t.Fatal(err)
	}
	if _, err := pc.AddTrack(mic); err != nil {
		t.Fatal(err)
	}
	return pc, mic
}

// newMicTrack is a caller's Opus microphone track, as a browser offers it.
func newMicTrack() (*webrtc.TrackLocalStaticSample, error) {
	return webrtc.NewTrackLocalStaticSample(webrtc.RTPCodecCapability{MimeType: webrtc.MimeTypeOpus, ClockRate: 48000, Channels: 2}, "mic", "caller")
}

// JoinSession connects to base's /signaling (on, if not nil, registers its
// handlers first) and joins session as peer, once (caller.Join): a
// connection and join not confirmed within 20 s, or an `error` event
// before the confirmation, fail the test. Tests never join again on a new
// connection: that hid the lost set-up a browser, which does not retry,
// suffered (issue 11; runtime/signaling/connectgate.go). The socket closes
// when the test ends.
func JoinSession(t testing.TB, base, session, peer string, on func(*sio.Socket)) *sio.Socket {
	t.Helper()
	sig, _, err := caller.Join(context.Background(), base, session, peer, caller.JoinOptions{Setup: on, Timeout: 20 * time.Second})
	if err != nil {
		t.Fatalf("join-session %s as %s: %v", session, peer, err)
	}
	t.Cleanup(sig.Close)
	return sig.Socket()
}
