package main

import (
	"encoding/json"
	"math"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/parleyhq/parley/internal/e2e"
	"github.com/pion/webrtc/v4"
	pmedia "github.com/pion/webrtc/v4/pkg/media"
	"github.com/stretchr/testify/require"
	sio "github.com/zishang520/socket.io/clients/socket/v3"
	"gopkg.in/hraban/opus.v2"
)

// agentCall is a caller of the runtime, as a browser would be: REST to
// create the call, the Go Socket.IO client on /signaling, a Pion peer on
// loopback (e2e.Dial).
type agentCall struct {
	t       *testing.T
	p       *process
	id      string
	session string
	sock    *sio.Socket
	pc      *webrtc.PeerConnection
	mic     *webrtc.TrackLocalStaticSample
	heard   *loudness
	events  *e2e.Events
}

// dialAgent creates a call to the default agent and connects its media.
func dialAgent(t *testing.T, p *process) *agentCall {
	t.Helper()
	return dialAgentWith(t, p, `{"callerNumber":"01012345678"}`)
}

// dialAgentWith is dialAgent with body for POST /api/v1/calls.
func dialAgentWith(t *testing.T, p *process, body string) *agentCall {
	t.Helper()
	c := p.call(t, http.MethodPost, "/api/v1/calls", body)["call"].(map[string]any)
	a := &agentCall{t: t, p: p, id: c["id"].(string), session: c["sessionId"].(string), heard: &loudness{}}
	caller := e2e.Dial(t, p.base, a.session, e2e.DialOptions{
		Record:  []string{"peer-left", "call-status", "transcript", "agent-response", "sentiment", "agent-speaking", "tool-call", "call-transferred"},
		OnTrack: a.heard.listen,
	})
	a.sock, a.pc, a.mic, a.events = caller.Sock, caller.PC, caller.Mic, caller.Events
	require.Equal(t, "agent", caller.Answer["peerId"])
	// The original client calls /connect after its offer; it must not fail
	// whether or not media got there first.
	p.call(t, http.MethodPost, "/api/v1/calls/"+a.id+"/connect", "")
	caller.WaitConnected(t, 15*time.Second)
	require.Eventually(t, func() bool { return a.status() == "IN_PROGRESS" }, 10*time.Second, 20*time.Millisecond)
	return a
}

func (a *agentCall) status() any {
	return a.p.call(a.t, http.MethodGet, "/api/v1/calls/"+a.id, "")["call"].(map[string]any)["status"]
}

// wait returns the first event called name that match accepts (nil: any),
// failing on an error event or after 20 s.
func (a *agentCall) wait(name string, match func(map[string]any) bool) map[string]any {
	a.t.Helper()
	return a.events.Wait(a.t, name, 1, match, 20*time.Second)
}

// TestRealtimeCallOffline: the offline default agent's greeting (espeak)
// arrives as audible Opus, the caller's audio reaches the runtime, and
// hanging up ends the call and frees its media.
func TestRealtimeCallOffline(t *testing.T) {
	p := start(t, t.TempDir(), "PARLEY_WEBRTC_LOOPBACK=true")
	a := dialAgent(t, p)
	// The caller talks for two seconds while the greeting plays (the
	// first packets may race the agent's track set-up).
	sendTone(t, a.mic, 2*time.Second)
	// The greeting ("Thank you for calling Juniper and Company...") lasts
	// a few seconds: at least a second of it must be audible.
	require.Eventually(t, func() bool { return a.heard.loud() >= time.Second }, 15*time.Second, 50*time.Millisecond,
		"greeting not heard (loud %v)", a.heard.loud())

	p.call(t, http.MethodPost, "/api/v1/calls/"+a.id+"/end", "")
	a.wait("peer-left", nil)
	a.wait("call-status", func(m map[string]any) bool { return m["status"] == "ENDED" })
	require.Eventually(t, func() bool { return strings.Contains(p.logs.String(), `"msg":"call media freed"`) }, 10*time.Second, 20*time.Millisecond)
	var freed struct {
		PacketsIn int `json:"packets_in"`
		FramesIn  int `json:"frames_in"`
		Codec     string
	}
	for _, line := range strings.Split(p.logs.String(), "\n") {
		if strings.Contains(line, `"msg":"call media freed"`) {
			require.NoError(t, json.Unmarshal([]byte(line), &freed))
		}
	}
	require.Equal(t, "opus", freed.Codec)
	require.GreaterOrEqual(t, freed.PacketsIn, 45, "the runtime received the caller's audio")
	require.GreaterOrEqual(t, freed.FramesIn, 45)
}

// sendTone sends d of a 250 Hz tone on track as 20 ms Opus frames, in real
// time.
func sendTone(t *testing.T, track *webrtc.TrackLocalStaticSample, d time.Duration) {
	t.Helper()
	enc, err := opus.NewEncoder(48000, 1, opus.AppVoIP)
	require.NoError(t, err)
	frame, buf := make([]int16, 960), make([]byte, 1500)
	for i := range int(d / (20 * time.Millisecond)) {
		for j := range frame {
			frame[j] = int16(6000 * math.Sin(2*math.Pi*250*float64(i*960+j)/48000))
		}
		n, err := enc.Encode(frame, buf)
		require.NoError(t, err)
		require.NoError(t, track.WriteSample(pmedia.Sample{Data: buf[:n], Duration: 20 * time.Millisecond}))
		time.Sleep(20 * time.Millisecond)
	}
}

// loudness counts decoded audio above silence.
type loudness struct {
	mu      sync.Mutex
	samples int         // loud 20 ms frames
	at      []time.Time // when each loud frame was received
}

// loudTimes returns when each loud frame so far was received, in order.
func (l *loudness) loudTimes() []time.Time {
	l.mu.Lock()
	defer l.mu.Unlock()
	return append([]time.Time(nil), l.at...)
}

// loudIn returns how much loud audio was received in [from, to).
func (l *loudness) loudIn(from, to time.Time) time.Duration {
	n := 0
	for _, at := range l.loudTimes() {
		if !at.Before(from) && at.Before(to) {
			n++
		}
	}
	return time.Duration(n) * 20 * time.Millisecond
}

func (l *loudness) loud() time.Duration {
	l.mu.Lock()
	defer l.mu.Unlock()
	return time.Duration(l.samples) * 20 * time.Millisecond
}

// listen decodes the agent's Opus track and counts its loud frames, until
// the track ends.
func (l *loudness) listen(tr *webrtc.TrackRemote) {
	dec, err := opus.NewDecoder(48000, 1)
	if err != nil {
		return
	}
	pcm := make([]int16, 5760)
	for {
		pkt, _, err := tr.ReadRTP()
		if err != nil {
			return
		}
		n, err := dec.Decode(pkt.Payload, pcm)
		if err != nil || n == 0 {
			continue
		}
		var sum float64
		for _, v := range pcm[:n] {
			sum += float64(v) * float64(v)
		}
		if math.Sqrt(sum/float64(n)) > 300 {
			l.mu.Lock()
			l.samples++
			l.at = append(l.at, time.Now())
			l.mu.Unlock()
		}
	}
}
