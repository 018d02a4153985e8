package media

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/parleyhq/parley/runtime/pcm"
	"github.com/stretchr/testify/require"
)

// TestPeerPauseMidSpeech pauses a Peer's Player for 300 ms in the middle
// of a second of speech: the caller, a real Pion peer on loopback, hears
// the speech, then silence, then the rest of the speech.
func TestPeerPauseMidSpeech(t *testing.T) {
	const frame = 960 // the caller decodes Opus at 48 kHz
	e := newTestEngine(t)
	c := newClient(t, clientOpus)
	peer, err := e.NewPeer(PeerHandlers{OnCandidate: c.onCandidate})
	require.NoError(t, err)
	t.Cleanup(func() { _ = peer.Close() })
	c.connect(peer)
	player := peer.Player()
	require.NoError(t, player.Enqueue(pcm.Audio{Samples: tone(440, 24000, time.Second, 8000), Rate: 24000}))

	require.Eventually(t, func() bool { return player.Played() >= 300*time.Millisecond }, waitLong, 5*time.Millisecond)
	player.Pause()
	// The frame being written and the fade-out frame, then 300 ms of
	// frames (counted as the peer sends them: a deadline, not a sleep).
	paused := peer.Stats().FramesOut + 2
	require.Eventually(t, func() bool { return peer.Stats().FramesOut >= paused }, waitLong, 5*time.Millisecond)
	frozen := player.Played()
	require.Eventually(t, func() bool { return peer.Stats().FramesOut >= paused+15 }, waitLong, 5*time.Millisecond)
	require.Equal(t, frozen, player.Played(), "nothing played while paused")
	select {
	case <-player.Idle():
		t.Fatal("a paused Player with speech queued is idle")
	default:
	}
	player.Resume()

	ctx, cancel := context.WithTimeout(context.Background(), waitLong)
	defer cancel()
	require.NoError(t, player.WaitIdle(ctx))
	require.Equal(t, time.Second, player.Played(), "all of the speech, once")
	sent := peer.Stats().FramesOut
	require.Eventually(t, func() bool { return int64(len(c.receivedAudio())/frame) >= sent }, waitLong, 10*time.Millisecond)

	// One letter per 20 ms the caller heard: 's' speech, '.' silence, '~'
	// in between (the codec smears the fades).
	got := c.receivedAudio()
	var heard strings.Builder
	for i := 0; i+frame <= len(got); i += frame {
		switch r := rms(got[i : i+frame]); {
		case r > 1000:
			heard.WriteByte('s')
		case r < 50:
			heard.WriteByte('.')
		default:
			heard.WriteByte('~')
		}
	}
	h := strings.Trim(heard.String(), ".")
	t.Logf("caller heard %s", h)
	first, last := strings.IndexByte(h, '.'), strings.LastIndexByte(h, '.')
	require.Positive(t, first, "silence in the middle of the speech")
	before, gap, after := h[:first], h[first:last+1], h[last+1:]
	require.Equal(t, strings.Repeat(".", len(gap)), gap, "one stretch of silence")
	require.GreaterOrEqual(t, len(gap), 12, "about 300 ms of it")
	require.GreaterOrEqual(t, strings.Count(before, "s"), 14, "about 300 ms of speech before")
	require.InDelta(t, 50, strings.Count(before, "s")+strings.Count(after, "s"), 3, "and the rest after: 1 s in all")
	require.LessOrEqual(t, strings.Count(h, "~"), 4, "only the edges are in between")
	_, speech := loudFrames(got, frame, 1000)
	require.Greater(t, goertzel(speech, 48000, 440), 30*goertzel(speech, 48000, 1000))
	require.NoError(t, peer.Close())
	c.close()
	verifyNoLeaks(t)
}
