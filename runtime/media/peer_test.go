package media

import (
	"context"
	"sync/atomic"
	"testing"
	"time"

	"github.com/parleyhq/parley/runtime/pcm"
	"github.com/pion/webrtc/v4"
	"github.com/stretchr/testify/require"
)

// callCase is one codec's round trip: the agent plays a tone at agentHz,
// the caller sends one at callerHz.
type callCase struct {
	name      string
	codecs    []webrtc.RTPCodecParameters
	wantCodec string
	rtpmap    string // expected in the answer
	enqRate   int    // rate of the audio the agent enqueues
}

func TestPeerCallBothWays(t *testing.T) {
	tests := []callCase{
		{"opus", []webrtc.RTPCodecParameters{clientOpus}, CodecOpus, "a=rtpmap:109 opus/48000/2", 22050},
		{"opus preferred over PCMU", []webrtc.RTPCodecParameters{clientPCMU, clientOpus}, CodecOpus, "opus/48000/2", 16000},
		{"PCMU only", []webrtc.RTPCodecParameters{clientPCMU}, CodecPCMU, "a=rtpmap:0 PCMU/8000", 16000},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) { testCall(t, tt) })
	}
	verifyNoLeaks(t)
}

func testCall(t *testing.T, tt callCase) {
	const agentHz, callerHz = 440, 660
	e := newTestEngine(t)
	sink := &frameSink{}
	states := &stateLog{}
	var media atomic.Int32
	c := newClient(t, tt.codecs...)
	peer, err := e.NewPeer(PeerHandlers{
		OnCandidate: c.onCandidate,
		OnState:     states.add,
		OnMedia:     func() { media.Add(1) },
		Sink:        sink,
	})
	require.NoError(t, err)
	t.Cleanup(func() { _ = peer.Close() })
	require.Nil(t, peer.Player(), "no player before the answer")

	answer := c.answer(peer)
	require.Contains(t, answer.SDP, tt.rtpmap)
	require.Contains(t, answer.SDP, "a=msid:"+streamID+" ")
	require.Equal(t, tt.wantCodec, peer.Stats().Codec)

	// Enqueued before the connection is up: it waits, nothing is lost.
	player := peer.Player()
	require.NotNil(t, player)
	require.NoError(t, player.Enqueue(pcm.Audio{Samples: tone(agentHz, tt.enqRate, time.Second, 8000), Rate: tt.enqRate}))

	c.finish(peer)
	c.send(tone(callerHz, codecRate(c.codecName()), time.Second, 8000))

	// Caller -> agent: about 50 frames of 16 kHz audio with the caller's tone.
	require.Eventually(t, func() bool { return sink.count() >= 49 }, waitLong, 10*time.Millisecond, "sink frames")
	in := sink.samples()
	require.Len(t, in, sink.count()*SinkFrameSamples)
	require.LessOrEqual(t, sink.count(), 51)
	require.Greater(t, goertzel(in, SinkRate, callerHz), 30*goertzel(in, SinkRate, agentHz))
	loudIn, _ := loudFrames(in, SinkFrameSamples, 1000)
	require.GreaterOrEqual(t, loudIn, 45)

	// Agent -> caller: about 1 s of the agent's tone, then silence.
	ctx, cancel := context.WithTimeout(context.Background(), waitLong)
	defer cancel()
	require.NoError(t, player.WaitIdle(ctx))
	sent := peer.Stats().FramesOut
	rate := codecRate(tt.wantCodec)
	frame := rate / framesPerSec
	require.Eventually(t, func() bool { return int64(len(c.receivedAudio())/frame) >= sent }, waitLong, 10*time.Millisecond)
	got := c.receivedAudio()
	loudOut, tone := loudFrames(got, frame, 1000)
	t.Logf("%s: agent sent %d frames, caller heard %d loud; sink got %d frames, %d loud", tt.name, sent, loudOut, sink.count(), loudIn)
	require.InDelta(t, 50, loudOut, 3, "about 1 s of speech reached the caller")
	require.Greater(t, goertzel(tone, rate, agentHz), 30*goertzel(tone, rate, callerHz))

	st := peer.Stats()
	require.Equal(t, int64(50), st.PacketsIn)
	require.Zero(t, st.PacketsLost)
	require.Equal(t, int64(sink.count()), st.FramesIn)
	require.Equal(t, time.Second, st.SpeechOut)
	require.GreaterOrEqual(t, st.FramesOut, int64(50))
	require.Equal(t, int32(1), media.Load())
	require.Zero(t, c.early.Load(), "no agent candidate before Trickle")
	require.True(t, states.has(StateConnected))
	// The agent reads the caller's sender reports (unread, they queued for
	// the whole call): its receiver reports come to name them.
	require.Eventually(t, func() bool { return c.echoedSR.Load() > 0 }, waitLong, 10*time.Millisecond,
		"an agent receiver report with the caller's last sender report")

	require.NoError(t, peer.Close())
	require.NoError(t, peer.Close(), "Close is idempotent")
	require.Eventually(t, func() bool { return states.has(StateClosed) }, waitLong, 10*time.Millisecond)
	c.close()
}

func (c *client) codecName() string {
	if c.codec.MimeType == webrtc.MimeTypePCMU {
		return CodecPCMU
	}
	return CodecOpus
}

func TestAnswerRejects(t *testing.T) {
	e := newTestEngine(t)
	tests := []struct {
		name   string
		codecs []webrtc.RTPCodecParameters
	}{
		{"only G722", []webrtc.RTPCodecParameters{clientG722}},
		{"only video", []webrtc.RTPCodecParameters{clientVP8}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c := newClient(t, tt.codecs...)
			peer, err := e.NewPeer(PeerHandlers{})
			require.NoError(t, err)
			offer, err := c.pc.CreateOffer(nil)
			require.NoError(t, err)
			_, err = peer.Answer(offer)
			require.ErrorIs(t, err, ErrNoCodec)
			require.Nil(t, peer.Player())
			require.NoError(t, peer.Close())
			c.close()
		})
	}
	verifyNoLeaks(t)
}

func TestAnswerTwice(t *testing.T) {
	e := newTestEngine(t)
	c := newClient(t, clientOpus)
	peer, err := e.NewPeer(PeerHandlers{OnCandidate: c.onCandidate})
	require.NoError(t, err)
	t.Cleanup(func() { _ = peer.Close() })
	offer := c.offer(peer)
	_, err = peer.Answer(offer)
	require.NoError(t, err)
	_, err = peer.Answer(offer)
	require.ErrorIs(t, err, ErrAnswered)
	_, err = peer.Answer(webrtc.SessionDescription{Type: webrtc.SDPTypeAnswer, SDP: offer.SDP})
	require.ErrorIs(t, err, ErrAnswered)
	require.NoError(t, peer.Close())
	c.close()
	verifyNoLeaks(t)
}

func TestPeerCloseBeforeAnswer(t *testing.T) {
	e := newTestEngine(t)
	states := &stateLog{}
	peer, err := e.NewPeer(PeerHandlers{OnState: states.add})
	require.NoError(t, err)
	t.Cleanup(func() { _ = peer.Close() })
	peer.Trickle()
	require.NoError(t, peer.Close())
	require.NoError(t, peer.Close())
	_, err = peer.Answer(webrtc.SessionDescription{Type: webrtc.SDPTypeOffer})
	require.ErrorIs(t, err, ErrClosed)
	require.ErrorIs(t, peer.AddCandidate(webrtc.ICECandidateInit{Candidate: "candidate:1 1 udp 1 127.0.0.1 9 typ host"}), ErrClosed)
	require.NoError(t, peer.AddCandidate(webrtc.ICECandidateInit{}), "end-of-candidates is ignored")
	require.Nil(t, peer.Player())
	require.Equal(t, Stats{}, peer.Stats())
	verifyNoLeaks(t)
}

func TestPeerCloseDuringCall(t *testing.T) {
	e := newTestEngine(t)
	sink := &frameSink{}
	c := newClient(t, clientOpus)
	peer, err := e.NewPeer(PeerHandlers{OnCandidate: c.onCandidate, Sink: sink})
	require.NoError(t, err)
	t.Cleanup(func() { _ = peer.Close() })
	c.connect(peer)
	player := peer.Player()
	require.NoError(t, player.Enqueue(pcm.Audio{Samples: tone(440, 16000, 5*time.Second, 8000), Rate: 16000}))
	require.Eventually(t, func() bool { return len(c.receivedAudio()) > 48000/5 }, waitLong, 10*time.Millisecond)

	require.NoError(t, peer.Close())
	require.ErrorIs(t, player.Enqueue(pcm.Audio{Samples: []int16{1}, Rate: 16000}), ErrClosed)
	require.Less(t, player.Played(), 5*time.Second)
	c.close()
	verifyNoLeaks(t)
}

func TestPeerRemoteClosesFirst(t *testing.T) {
	e := newTestEngine(t)
	states := &stateLog{}
	c := newClient(t, clientOpus)
	peer, err := e.NewPeer(PeerHandlers{OnCandidate: c.onCandidate, OnState: states.add})
	require.NoError(t, err)
	t.Cleanup(func() { _ = peer.Close() })
	c.connect(peer)
	require.NoError(t, peer.Player().Enqueue(pcm.Audio{Samples: tone(440, 48000, time.Second, 8000), Rate: 48000}))
	c.send(tone(660, 48000, 200*time.Millisecond, 8000))

	c.close()
	// The caller's DTLS close_notify makes Pion close the agent's
	// PeerConnection too; the call's owner still calls Close.
	require.Eventually(t, func() bool { return states.has(StateClosed) }, waitLong, 10*time.Millisecond)
	require.NoError(t, peer.Close())
	verifyNoLeaks(t)
}

func TestPeerCloseFromOnState(t *testing.T) {
	e := newTestEngine(t)
	c := newClient(t, clientOpus)
	var peer *Peer
	var closed atomic.Bool
	done := make(chan error, 1)
	states := &stateLog{}
	peer, err := e.NewPeer(PeerHandlers{
		OnCandidate: c.onCandidate,
		OnState: func(s State) {
			if closed.Load() && s != StateClosed {
				t.Errorf("state %v after Closed", s)
			}
			states.add(s)
			if s == StateConnected {
				done <- peer.Close()
			}
			if s == StateClosed {
				closed.Store(true)
			}
		},
	})
	require.NoError(t, err)
	t.Cleanup(func() { _ = peer.Close() })
	c.answer(peer)
	// The client may never see "connected": the agent closes the moment it
	// is, possibly before the client's own handshake state catches up.
	c.trickled.Store(true)
	peer.Trickle()
	select {
	case err := <-done:
		require.NoError(t, err)
	case <-time.After(waitLong):
		t.Fatal("Close from OnState did not return")
	}
	require.Eventually(t, func() bool { return states.has(StateClosed) }, waitLong, 10*time.Millisecond)
	c.close()
	verifyNoLeaks(t)
}
