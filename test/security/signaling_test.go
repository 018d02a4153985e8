package security

import (
	"bufio"
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/pion/webrtc/v4"
	sio "github.com/zishang520/socket.io/clients/socket/v3"
	"github.com/zishang520/socket.io/v3/pkg/types"

	"github.com/parleyhq/parley/internal/e2e"
	"github.com/parleyhq/parley/internal/sioclient"
)

// sigClient is one Socket.IO connection to /signaling with its events.
type sigClient struct {
	t      *testing.T
	sock   *sio.Socket
	events chan sigEvent
	cands  chan webrtc.ICECandidateInit
	gone   chan struct{}
	once   sync.Once
}

type sigEvent struct {
	name string
	data map[string]any
}

func sigConnect(t *testing.T, base string) *sigClient {
	t.Helper()
	c := &sigClient{t: t, events: make(chan sigEvent, 4096), cands: make(chan webrtc.ICECandidateInit, 64), gone: make(chan struct{})}
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	sock, err := sioclient.Connect(ctx, base, func(s *sio.Socket) {
		for _, name := range []string{"joined-session", "error", "answer", "call-status"} {
			_ = s.On(types.EventName(name), func(args ...any) {
				data, _ := args[0].(map[string]any)
				select {
				case c.events <- sigEvent{name, data}:
				default:
				}
			})
		}
		_ = s.On("ice-candidate", func(args ...any) {
			data, _ := args[0].(map[string]any)
			b, _ := json.Marshal(data["candidate"])
			var ci webrtc.ICECandidateInit
			if json.Unmarshal(b, &ci) == nil && ci.Candidate != "" {
				c.cands <- ci
			}
		})
		_ = s.On("disconnect", func(...any) { c.once.Do(func() { close(c.gone) }) })
	})
	if err != nil {
		t.Fatal(err)
	}
	c.sock = sock
	t.Cleanup(func() { sock.Disconnect() })
	return c
}

func (c *sigClient) emit(event string, payload map[string]any) {
	c.t.Helper()
	if err := c.sock.Emit(event, payload); err != nil {
		c.t.Fatal(err)
	}
}

// wait returns the next event called name (or, with code set, the next
// `error` event with that code), skipping others.
func (c *sigClient) wait(name, code string) map[string]any {
	c.t.Helper()
	deadline := time.After(10 * time.Second)
	for {
		select {
		case ev := <-c.events:
			if ev.name != name || (code != "" && ev.data["code"] != code) {
				continue
			}
			return ev.data
		case <-deadline:
			c.t.Fatalf("no %s %s within 10 s", name, code)
		}
	}
}

// join joins session as peer (extra fields added) and returns the
// joined-session payload, or fails with the error event's code.
func (c *sigClient) join(session, peer string, extra map[string]any) (map[string]any, string) {
	c.t.Helper()
	p := map[string]any{"sessionId": session, "peerId": peer}
	for k, v := range extra {
		p[k] = v
	}
	c.emit("join-session", p)
	deadline := time.After(10 * time.Second)
	for {
		select {
		case ev := <-c.events:
			switch ev.name {
			case "joined-session":
				return ev.data, ""
			case "error":
				code, _ := ev.data["code"].(string)
				return nil, code
			}
		case <-deadline:
			c.t.Fatalf("join-session %s as %s: no answer within 10 s", session, peer)
		}
	}
}

func sigNewCall(t *testing.T, base string) string {
	t.Helper()
	res, err := http.Post(base+"/api/v1/calls", "application/json", strings.NewReader(`{"callerNumber":"01012345678"}`))
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	var body struct {
		Data struct {
			Call struct {
				SessionID string `json:"sessionId"`
			} `json:"call"`
		} `json:"data"`
	}
	if err := json.NewDecoder(res.Body).Decode(&body); err != nil || res.StatusCode != http.StatusCreated && res.StatusCode != http.StatusOK {
		t.Fatalf("POST /api/v1/calls: %d %v", res.StatusCode, err)
	}
	return body.Data.Call.SessionID
}

// sigFrameIntervals scrapes how many frame intervals of the agent's voice
// were at most 30 ms, and how many there were.
func sigFrameIntervals(t *testing.T, base string) (within, total float64) {
	t.Helper()
	res, err := http.Get(base + "/metrics")
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	sc := bufio.NewScanner(res.Body)
	for sc.Scan() {
		line := sc.Text()
		if v, ok := strings.CutPrefix(line, `parley_webrtc_frame_interval_seconds_bucket{le="0.03"} `); ok {
			within, _ = strconv.ParseFloat(v, 64)
		}
		if v, ok := strings.CutPrefix(line, `parley_webrtc_frame_interval_seconds_count `); ok {
			total, _ = strconv.ParseFloat(v, 64)
		}
	}
	return within, total
}

// TestSignalingGuards: nobody joins as the agent; an agent call has one
// caller, observers watch; a flooding socket is cut off while a real call
// next to it keeps its agent's voice paced (frame p99 <= 30 ms, as far as
// the machine keeps it without a flood).
func TestSignalingGuards(t *testing.T) {
	if testing.Short() {
		t.Skip("builds and starts the runtime")
	}
	// Without the race detector: the test measures the pacing of the
	// agent's voice, which the detector's cost would distort.
	bin := e2e.Binary(e2e.BuildRuntime(t, false, "pocketsphinx", "scripted", "espeak", "sentiment"))
	rt := e2e.Start(t, bin, "PARLEY_SIGNALING_EVENT_RATE=100")
	session := sigNewCall(t, rt.Base)

	caller := sigConnect(t, rt.Base)
	for _, id := range []string{"agent", "Agent", " AGENT"} {
		if _, code := caller.join(session, id, nil); code != "RESERVED_PEER_ID" {
			t.Fatalf("joining as %q: %q, want RESERVED_PEER_ID", id, code)
		}
	}
	joined, code := caller.join(session, "client-peer", nil)
	if code != "" {
		t.Fatalf("caller join: %s", code)
	}
	if tok, _ := joined["resumeToken"].(string); len(tok) < 20 {
		t.Fatalf("joined-session %v: no resume token", joined)
	}
	other := sigConnect(t, rt.Base)
	if _, code := other.join(session, "intruder", nil); code != "BUSY" {
		t.Fatalf("second caller: %q, want BUSY", code)
	}
	if _, code := other.join(session, "client-peer", map[string]any{"resumeToken": "guess"}); code != "PEER_ID_TAKEN" {
		t.Fatalf("second caller with the caller's peerId: %q, want PEER_ID_TAKEN", code)
	}
	if _, code := other.join(session, "watcher", map[string]any{"observer": true}); code != "" {
		t.Fatalf("observer: %q", code)
	}

	// A real call: the caller's Pion peer offers, the agent answers.
	pc, _ := e2e.LoopbackPeer(t)
	connected := make(chan struct{})
	var once sync.Once
	pc.OnConnectionStateChange(func(s webrtc.PeerConnectionState) {
		if s == webrtc.PeerConnectionStateConnected {
			once.Do(func() { close(connected) })
		}
	})
	pc.OnICECandidate(func(ci *webrtc.ICECandidate) {
		if ci != nil {
			_ = caller.sock.Emit("ice-candidate", map[string]any{"sessionId": session, "peerId": "client-peer", "candidate": ci.ToJSON()})
		}
	})
	offer, err := pc.CreateOffer(nil)
	if err != nil {
		t.Fatal(err)
	}
	if err := pc.SetLocalDescription(offer); err != nil {
		t.Fatal(err)
	}
	caller.emit("offer", map[string]any{"sessionId": session, "peerId": "client-peer", "offer": map[string]any{"type": "offer", "sdp": offer.SDP}})
	answer := caller.wait("answer", "")
	sdp, _ := answer["answer"].(map[string]any)["sdp"].(string)
	if err := pc.SetRemoteDescription(webrtc.SessionDescription{Type: webrtc.SDPTypeAnswer, SDP: sdp}); err != nil {
		t.Fatal(err)
	}
	go func() {
		for {
			select {
			case ci := <-caller.cands:
				_ = pc.AddICECandidate(ci)
			case <-caller.gone:
				return
			}
		}
	}()
	select {
	case <-connected:
	case <-time.After(15 * time.Second):
		t.Fatal("the call did not connect")
	}
	// The observer watches the call go IN_PROGRESS, and may not offer.
	for other.wait("call-status", "")["status"] != "IN_PROGRESS" {
		// an earlier status (CONNECTING)
	}
	other.emit("offer", map[string]any{"sessionId": session, "peerId": "watcher", "offer": map[string]any{"type": "offer", "sdp": offer.SDP}})
	other.wait("error", "FORBIDDEN")

	// The pacing without a flood, over as long as the flood's window: on a
	// loaded machine it is not always p99 <= 30 ms by itself.
	wb, tb := sigFrameIntervals(t, rt.Base)
	time.Sleep(3 * time.Second)
	wb1, tb1 := sigFrameIntervals(t, rt.Base)
	base := (wb1 - wb) / (tb1 - tb)
	t.Logf("frames before the flood: %v, %.2f%% within 30 ms", tb1-tb, 100*base)

	// A flood from another connection: it is cut off, the call goes on.
	within0, total0 := sigFrameIntervals(t, rt.Base)
	flood := sigConnect(t, rt.Base)
	pad := strings.Repeat("x", 1000)
	for i := range 2000 {
		_ = flood.sock.Emit("leave-session", map[string]any{"sessionId": "x", "peerId": fmt.Sprint(i), "pad": pad})
	}
	flood.wait("error", "RATE_LIMITED")
	select {
	case <-flood.gone:
	case <-time.After(10 * time.Second):
		t.Fatal("the flooding connection was not closed")
	}
	// The call goes on after the flood.
	deadline := time.Now().Add(2 * time.Second)
	for time.Now().Before(deadline) {
		if !caller.sock.Connected() {
			t.Fatal("the caller's connection was closed by another's flood")
		}
		time.Sleep(50 * time.Millisecond)
	}
	within1, total1 := sigFrameIntervals(t, rt.Base)
	n := total1 - total0
	if n < 100 {
		t.Fatalf("only %v frames of the agent's voice during the flood", n)
	}
	share := (within1 - within0) / n
	t.Logf("frames during the flood: %v, %.2f%% within 30 ms", n, 100*share)
	// p99 <= 30 ms, or, when the machine could not keep that without a
	// flood either, no worse than it was then (2 points of noise).
	if want := min(0.99, base-0.02); share < want {
		t.Errorf("the flood disturbed the call: %.2f%% of %v frame intervals within 30 ms, want %.2f%%", 100*share, n, 100*want)
	}
	// The caller's signaling still answers.
	caller.emit("leave-session", map[string]any{"sessionId": session, "peerId": "nobody"})
	caller.wait("error", "FORBIDDEN")
}
