package main

import (
	"encoding/json"
	"net/http"
	"sync"
	"testing"
	"time"

	"github.com/pion/webrtc/v4"
	"github.com/stretchr/testify/require"
	sio "github.com/zishang520/socket.io/clients/socket/v3"

	"github.com/parleyhq/parley/internal/e2e"
)

// relayPeer is one person of a person-to-person call: a socket and a Pion
// peer whose signaling goes through the runtime's relay.
type relayPeer struct {
	id        string
	sock      *sio.Socket
	pc        *webrtc.PeerConnection
	mic       *webrtc.TrackLocalStaticSample
	heard     *loudness
	offers    chan map[string]any
	answers   chan map[string]any
	connected chan struct{}
}

func newRelayPeer(t *testing.T, base, session, id string) *relayPeer {
	t.Helper()
	pc, mic := e2e.LoopbackPeer(t)
	heard := &loudness{}
	pc.OnTrack(func(tr *webrtc.TrackRemote, _ *webrtc.RTPReceiver) { heard.listen(tr) })
	r := &relayPeer{id: id, pc: pc, mic: mic, heard: heard,
		offers: make(chan map[string]any, 4), answers: make(chan map[string]any, 4), connected: make(chan struct{})}
	var once sync.Once
	pc.OnConnectionStateChange(func(s webrtc.PeerConnectionState) {
		if s == webrtc.PeerConnectionStateConnected {
			once.Do(func() { close(r.connected) })
		}
	})
	pc.OnICECandidate(func(c *webrtc.ICECandidate) {
		if c != nil {
			_ = r.sock.Emit("ice-candidate", map[string]any{"sessionId": session, "peerId": id, "candidate": c.ToJSON()})
		}
	})
	r.sock = e2e.JoinSession(t, base, session, id, func(sock *sio.Socket) {
		r.on(sock, pc)
	})
	return r
}

// on registers the peer's handlers of relayed events.
func (r *relayPeer) on(sock *sio.Socket, pc *webrtc.PeerConnection) {
	_ = sock.On("offer", func(a ...any) { r.offers <- a[0].(map[string]any) })
	_ = sock.On("answer", func(a ...any) { r.answers <- a[0].(map[string]any) })
	_ = sock.On("ice-candidate", func(a ...any) {
		b, _ := json.Marshal(a[0].(map[string]any)["candidate"])
		var c webrtc.ICECandidateInit
		if json.Unmarshal(b, &c) == nil {
			// Candidates can only race the description by the remote's
			// own ordering; Pion queues none, so retry briefly.
			go func() {
				for range 100 {
					if pc.RemoteDescription() != nil {
						_ = pc.AddICECandidate(c)
						return
					}
					time.Sleep(10 * time.Millisecond)
				}
			}()
		}
	})
}

func sdpOf(t *testing.T, payload map[string]any, field string) string {
	t.Helper()
	return payload[field].(map[string]any)["sdp"].(string)
}

// TestPersonToPersonRelay connects two people through the runtime's
// signaling relay, as the original did: no agent peer takes part.
func TestPersonToPersonRelay(t *testing.T) {
	p := start(t, t.TempDir(), "PARLEY_WEBRTC_LOOPBACK=true")
	c := p.call(t, http.MethodPost, "/api/v1/calls", `{"callerNumber":"01012345678","receiverNumber":"01087654321"}`)["call"].(map[string]any)
	session := c["sessionId"].(string)
	a := newRelayPeer(t, p.base, session, "caller")
	b := newRelayPeer(t, p.base, session, "receiver")

	offer, err := a.pc.CreateOffer(nil)
	require.NoError(t, err)
	require.NoError(t, a.pc.SetLocalDescription(offer))
	require.NoError(t, a.sock.Emit("offer", map[string]any{"sessionId": session, "peerId": "caller", "offer": offer}))
	var got map[string]any
	select {
	case got = <-b.offers:
	case <-time.After(10 * time.Second):
		t.Fatal("the receiver got no offer")
	}
	require.Equal(t, "caller", got["peerId"])
	require.NoError(t, b.pc.SetRemoteDescription(webrtc.SessionDescription{Type: webrtc.SDPTypeOffer, SDP: sdpOf(t, got, "offer")}))
	answer, err := b.pc.CreateAnswer(nil)
	require.NoError(t, err)
	require.NoError(t, b.pc.SetLocalDescription(answer))
	require.NoError(t, b.sock.Emit("answer", map[string]any{"sessionId": session, "peerId": "receiver", "answer": answer}))
	select {
	case got = <-a.answers:
	case <-time.After(10 * time.Second):
		t.Fatal("the caller got no answer")
	}
	require.Equal(t, "receiver", got["peerId"])
	require.NoError(t, a.pc.SetRemoteDescription(webrtc.SessionDescription{Type: webrtc.SDPTypeAnswer, SDP: sdpOf(t, got, "answer")}))
	for _, r := range []*relayPeer{a, b} {
		select {
		case <-r.connected:
		case <-time.After(15 * time.Second):
			t.Fatalf("%s did not connect through the relay", r.id)
		}
	}
	// The receiver hears the caller, peer to peer.
	sendTone(t, a.mic, 2*time.Second)
	require.Eventually(t, func() bool { return b.heard.loud() >= time.Second }, 10*time.Second, 20*time.Millisecond)
	// Nobody else answered: the agent stays out of people's calls.
	select {
	case extra := <-a.answers:
		t.Fatalf("a second answer: %v", extra)
	default:
	}
}
