package live

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"math"
	"path/filepath"
	"reflect"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/pion/webrtc/v4"
	"go.uber.org/goleak"

	"github.com/parleyhq/parley/runtime/agent"
	"github.com/parleyhq/parley/runtime/call"
	"github.com/parleyhq/parley/runtime/media"
	"github.com/parleyhq/parley/runtime/metrics"
	"github.com/parleyhq/parley/runtime/pcm"
	"github.com/parleyhq/parley/runtime/service"
	"github.com/parleyhq/parley/runtime/signaling"
	"github.com/parleyhq/parley/runtime/store/sqlite"
)

// oneAgent is the agent registry of the tests.
type oneAgent struct{ spec *agent.Spec }

func (a oneAgent) Get(string) (*agent.Spec, error) { return a.spec, nil }
func (a oneAgent) DefaultName() string             { return a.spec.Name }

// toneConvs is the tests' Conversations: the agent "greets" with a second
// of 440 Hz at 22.05 kHz (so it is resampled) and counts what it hears.
type toneConvs struct {
	started atomic.Int32
	frames  atomic.Int64
	loud    atomic.Int64 // frames with rms above 500
	closed  atomic.Int32
	// panicIn names a call whose conversation panics on its first frame.
	panicIn atomic.Pointer[string]
	// startPanicIn names a call whose conversation panics as it starts.
	startPanicIn atomic.Pointer[string]
}

type toneConv struct {
	c  *toneConvs
	id string
}

func (c *toneConvs) Start(_ context.Context, cl *call.Call, _ *agent.Spec, line Line) (Conversation, error) {
	out := line.Player
	if id := c.startPanicIn.Load(); id != nil && *id == cl.ID {
		panic("injected bug in Start")
	}
	c.started.Add(1)
	tone := make([]int16, 22050)
	for i := range tone {
		tone[i] = int16(8000 * math.Sin(2*math.Pi*440*float64(i)/22050))
	}
	if err := out.Enqueue(pcm.Audio{Samples: tone, Rate: 22050}); err != nil {
		return nil, err
	}
	return toneConv{c, cl.ID}, nil
}

func (c toneConv) WriteFrame(f []int16) {
	if len(f) != media.SinkFrameSamples {
		panic("frame of the wrong size")
	}
	if id := c.c.panicIn.Load(); id != nil && *id == c.id {
		var m map[string]int
		m["boom"]++ //nolint:staticcheck // the injected bug: a nil map write
	}
	c.c.frames.Add(1)
	if rms(f) > 500 {
		c.c.loud.Add(1)
	}
}

func (c toneConv) Close() { c.c.closed.Add(1) }

type harness struct {
	t       *testing.T
	calls   *service.Calls
	m       *Manager
	convs   *toneConvs
	events  *recorder
	metrics *metrics.Metrics
}

// recorder is a Broadcaster (and SessionEnder) that keeps what it was
// sent.
type recorder struct {
	mu     sync.Mutex
	events []string // "session event status"
	ended  []string // sessions told ended
}

func (r *recorder) SessionEnded(session string) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.ended = append(r.ended, session)
}

func (r *recorder) endedSessions() []string {
	r.mu.Lock()
	defer r.mu.Unlock()
	return append([]string(nil), r.ended...)
}

func (r *recorder) Broadcast(session, event string, payload map[string]any) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.events = append(r.events, session+" "+event+" "+fmt.Sprint(payload["status"]))
}

func (r *recorder) all() []string {
	r.mu.Lock()
	defer r.mu.Unlock()
	return append([]string(nil), r.events...)
}

func newHarness(t *testing.T, cfg Config) *harness {
	t.Helper()
	return newHarnessMedia(t, cfg, media.Config{Loopback: true})
}

func newHarnessMedia(t *testing.T, cfg Config, mc media.Config) *harness {
	t.Helper()
	// Registered first, so it runs after every other cleanup.
	t.Cleanup(func() { goleak.VerifyNone(t, goleak.IgnoreCurrent()) })
	st, err := sqlite.Open(context.Background(), filepath.Join(t.TempDir(), "calls.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = st.Close() })
	log := slog.New(slog.NewTextHandler(io.Discard, nil))
	if testing.Verbose() {
		log = slog.New(slog.NewTextHandler(tlog{t}, &slog.HandlerOptions{Level: slog.LevelDebug}))
	}
	calls := service.NewCalls(st, oneAgent{&agent.Spec{Name: "t", Greeting: "hello"}}, log)
	engine, err := media.NewEngine(mc)
	if err != nil {
		t.Fatal(err)
	}
	convs := &toneConvs{}
	mx := cfg.Metrics
	if mx == nil {
		mx = metrics.New()
		cfg.Metrics = mx
	}
	m, err := New(engine, calls, convs, cfg, log)
	if err != nil {
		t.Fatal(err)
	}
	calls.Observe(m.CallChanged)
	events := &recorder{}
	m.SetBroadcaster(events)
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		if err := m.Close(ctx); err != nil {
			t.Error(err)
		}
	})
	return &harness{t: t, calls: calls, m: m, convs: convs, events: events, metrics: mx}
}

type tlog struct{ t *testing.T }

func (l tlog) Write(p []byte) (int, error) { l.t.Log(string(p)); return len(p), nil }

var defaultCfg = Config{MediaTimeout: 10 * time.Second, DisconnectGrace: 10 * time.Second}

// newCall starts an agent call and returns the caller's peer for it.
func (h *harness) newCall(peerID string) (*call.Call, signaling.Peer, *fakeClient) {
	h.t.Helper()
	c, err := h.calls.Initiate(context.Background(), service.InitiateRequest{CallerNumber: "01012345678"})
	if err != nil {
		h.t.Fatal(err)
	}
	client := newFakeClient()
	return c, signaling.Peer{SessionID: c.SessionID, PeerID: peerID, CallID: c.ID, Client: client}, client
}

// status waits until the call has want, and returns it.
func (h *harness) status(id string, want call.Status) *call.Call {
	h.t.Helper()
	var c *call.Call
	eventually(h.t, func() bool {
		var err error
		c, err = h.calls.Get(context.Background(), id)
		return err == nil && c.Status == want
	}, "call status %s (have %v)", want, func() any { return c })
	return c
}

func eventually(t *testing.T, cond func() bool, format string, args ...any) {
	t.Helper()
	deadline := time.Now().Add(15 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			for i, a := range args {
				if f, ok := a.(func() any); ok {
					args[i] = f()
				}
			}
			t.Fatalf("timed out waiting for "+format, args...)
		}
		time.Sleep(10 * time.Millisecond)
	}
}

func TestCallerTalksToAgent(t *testing.T) {
	for _, early := range []bool{false, true} {
		name := "trickled candidates"
		if early {
			name = "candidates before the offer"
		}
		t.Run(name, func(t *testing.T) {
			h := newHarness(t, defaultCfg)
			c, peer, client := h.newCall("client-peer")
			caller := newCaller(t, peer, client)
			stop := make(chan struct{})
			var wg sync.WaitGroup
			wg.Add(1)
			go func() { defer wg.Done(); caller.signal(stop) }()
			defer func() { close(stop); wg.Wait() }()

			if err := caller.offer(h.m, early); err != nil {
				t.Fatal(err)
			}
			select {
			case <-caller.connected:
			case <-time.After(10 * time.Second):
				t.Fatal("caller did not connect")
			}
			got := h.status(c.ID, call.StatusInProgress)
			if got.ConnectedAt.IsZero() {
				t.Error("IN_PROGRESS without connectedAt")
			}
			// The agent hears the tone in 20 ms frames (the first packets
			// may race the agent's track set-up, so talk until heard).
			heard := func() bool { return h.convs.loud.Load() >= 35 }
			if err := caller.speak(10*time.Second, 300, heard); err != nil {
				t.Fatal(err)
			}
			eventually(t, func() bool { return h.convs.loud.Load() >= 35 }, "caller audio at the agent (loud frames %d of %d)",
				func() any { return h.convs.loud.Load() }, func() any { return h.convs.frames.Load() })
			// The caller heard the agent's second of tone.
			eventually(t, func() bool { _, loud := caller.heardRMS(); return loud >= 800*time.Millisecond },
				"the agent's tone at the caller")
			peak, _ := caller.heardRMS()
			t.Logf("agent frames heard %d (loud %d); caller heard peak rms %.0f", h.convs.frames.Load(), h.convs.loud.Load(), peak)

			// Hanging up over REST frees the media.
			if _, err := h.calls.End(context.Background(), c.ID, call.ReasonHangup); err != nil {
				t.Fatal(err)
			}
			client.next(t, "peer-left")
			eventually(t, func() bool { return h.m.Active() == 0 && h.convs.closed.Load() == 1 }, "session freed")
			select {
			case <-caller.readDone:
			case <-time.After(10 * time.Second):
				t.Error("the agent's track did not end")
			}
			s := c.SessionID
			want := []string{s + " call-status CONNECTING", s + " call-status IN_PROGRESS", s + " call-status ENDED"}
			if got := h.events.all(); !reflect.DeepEqual(got, want) {
				t.Errorf("events %q, want %q", got, want)
			}
		})
	}
}

func TestNoMediaFails(t *testing.T) {
	h := newHarness(t, Config{MediaTimeout: 300 * time.Millisecond, DisconnectGrace: time.Minute})
	c, peer, client := h.newCall("p")
	caller := newCaller(t, peer, client)
	// The caller offers and then never answers the agent's answer.
	if err := caller.offer(h.m, false); err != nil {
		t.Fatal(err)
	}
	got := h.status(c.ID, call.StatusFailed)
	if got.EndReason != ReasonNoMedia {
		t.Errorf("reason %q, want %q", got.EndReason, ReasonNoMedia)
	}
	eventually(t, func() bool { return h.m.Active() == 0 }, "session freed")
}

func TestICEFailureFails(t *testing.T) {
	h := newHarnessMedia(t, Config{MediaTimeout: time.Minute, DisconnectGrace: time.Minute},
		media.Config{Loopback: true, ICEDisconnectedTimeout: 200 * time.Millisecond, ICEFailedTimeout: 500 * time.Millisecond})
	c, peer, client := h.newCall("p")
	caller := newCaller(t, peer, client)
	// The caller applies the answer, but no candidate reaches either side:
	// connectivity checks have nothing to try.
	offer, err := caller.pc.CreateOffer(nil)
	if err != nil {
		t.Fatal(err)
	}
	if err := caller.pc.SetLocalDescription(offer); err != nil {
		t.Fatal(err)
	}
	if err := h.m.Offer(context.Background(), peer, asMap(t, webrtc.SessionDescription{Type: webrtc.SDPTypeOffer, SDP: stripCandidates(offer.SDP)})); err != nil {
		t.Fatal(err)
	}
	a := (<-client.sig).payload["answer"].(map[string]any)
	if err := caller.pc.SetRemoteDescription(webrtc.SessionDescription{Type: webrtc.SDPTypeAnswer, SDP: stripCandidates(a["sdp"].(string))}); err != nil {
		t.Fatal(err)
	}
	got := h.status(c.ID, call.StatusFailed)
	if got.EndReason != ReasonICEFailed {
		t.Errorf("reason %q, want %q", got.EndReason, ReasonICEFailed)
	}
	eventually(t, func() bool { return h.m.Active() == 0 }, "session freed")
}

func TestLeaveEndsCall(t *testing.T) {
	h := newHarness(t, defaultCfg)
	c, peer, client := h.newCall("p")
	caller := newCaller(t, peer, client)
	if err := caller.offer(h.m, false); err != nil {
		t.Fatal(err)
	}
	h.status(c.ID, call.StatusConnecting)
	// Another peer of the session leaving changes nothing.
	h.m.Leave(signaling.Peer{SessionID: c.SessionID, PeerID: "observer", CallID: c.ID, Client: newFakeClient()}, false)
	h.m.Leave(peer, false)
	got := h.status(c.ID, call.StatusEnded)
	if got.EndReason != ReasonCallerLeft {
		t.Errorf("reason %q", got.EndReason)
	}
	eventually(t, func() bool { return h.m.Active() == 0 }, "session freed")
}

func TestDisconnectedCallerEndsAfterGrace(t *testing.T) {
	h := newHarness(t, Config{MediaTimeout: time.Minute, DisconnectGrace: 200 * time.Millisecond})
	c, peer, client := h.newCall("p")
	// audio-data caller: the socket is its only connection.
	if err := h.m.Audio(peer, signaling.AudioData{PCM: pcm.Audio{Samples: make([]int16, 320), Rate: 16000}}); err != nil {
		t.Fatal(err)
	}
	h.status(c.ID, call.StatusInProgress)
	client.disconnect()
	h.m.Leave(peer, true)
	got := h.status(c.ID, call.StatusEnded)
	if got.EndReason != ReasonCallerDisconnected {
		t.Errorf("reason %q", got.EndReason)
	}
}

func TestReconnectWithinGraceKeepsCall(t *testing.T) {
	h := newHarness(t, Config{MediaTimeout: time.Minute, DisconnectGrace: 300 * time.Millisecond})
	c, peer, client := h.newCall("p")
	chunk := signaling.AudioData{PCM: pcm.Audio{Samples: make([]int16, 320), Rate: 16000}}
	if err := h.m.Audio(peer, chunk); err != nil {
		t.Fatal(err)
	}
	client.disconnect()
	h.m.Leave(peer, true)
	// Back on a new socket before the grace period ends: the agent's
	// voice follows the caller there.
	back := newFakeClient()
	peer.Client = back
	if err := h.m.Audio(peer, chunk); err != nil {
		t.Fatal(err)
	}
	back.next(t, "audio-data")
	time.Sleep(600 * time.Millisecond) // past the grace period
	if got, _ := h.calls.Get(context.Background(), c.ID); got.Status != call.StatusInProgress {
		t.Fatalf("status %s after reconnecting", got.Status)
	}
}

func TestAudioDataCall(t *testing.T) {
	h := newHarness(t, defaultCfg)
	c, peer, client := h.newCall("p")
	// One second of tone in 100 ms chunks at 8 kHz (resampled to 16 kHz).
	for i := range 10 {
		samples := make([]int16, 800)
		for j := range samples {
			samples[j] = int16(8000 * math.Sin(2*math.Pi*300*float64(i*800+j)/8000))
		}
		if err := h.m.Audio(peer, signaling.AudioData{PCM: pcm.Audio{Samples: samples, Rate: 8000}, Timestamp: float64(i)}); err != nil {
			t.Fatal(err)
		}
	}
	h.status(c.ID, call.StatusInProgress)
	eventually(t, func() bool { return h.convs.loud.Load() >= 45 }, "frames at the agent (%d)", func() any { return h.convs.loud.Load() })
	// The agent's second of tone comes back as audio-data, 16 kHz PCM.
	var heard time.Duration
	for heard < time.Second {
		ev := client.next(t, "audio-data")
		if ev["peerId"] != signaling.AgentPeerID || ev["sessionId"] != c.SessionID || ev["sampleRate"] != float64(16000) {
			t.Fatalf("event %v", ev)
		}
		a, err := decodeAudioEvent(ev)
		if err != nil {
			t.Fatal(err)
		}
		if r := rms(a.Samples); r < 1000 {
			t.Fatalf("chunk rms %.0f", r)
		}
		heard += a.Duration()
	}
	// A WebRTC offer on the same call is refused while audio-data runs.
	err := h.m.Offer(context.Background(), peer, map[string]any{"type": "offer", "sdp": "v=0\r\n"})
	var se *signaling.Error
	if !errors.As(err, &se) || se.Code != signaling.CodeBusy {
		t.Errorf("offer during audio-data: %v", err)
	}
	if _, err := h.calls.End(context.Background(), c.ID, call.ReasonHangup); err != nil {
		t.Fatal(err)
	}
	eventually(t, func() bool { return h.m.Active() == 0 }, "session freed")
}

func TestSecondCallerIsBusy(t *testing.T) {
	h := newHarness(t, defaultCfg)
	c, peer, client := h.newCall("first")
	caller := newCaller(t, peer, client)
	if err := caller.offer(h.m, false); err != nil {
		t.Fatal(err)
	}
	other := newCaller(t, signaling.Peer{SessionID: c.SessionID, PeerID: "second", CallID: c.ID, Client: newFakeClient()}, newFakeClient())
	err := other.offer(h.m, false)
	var se *signaling.Error
	if !errors.As(err, &se) || se.Code != signaling.CodeBusy {
		t.Fatalf("second offer: %v", err)
	}
}

func TestBadOffersAreRefused(t *testing.T) {
	h := newHarness(t, defaultCfg)
	c, peer, _ := h.newCall("p")
	for _, offer := range []map[string]any{
		{"type": "answer", "sdp": "v=0"},
		{"type": "offer"},
		{"type": "offer", "sdp": 12.0},
		{"type": "offer", "sdp": "not an sdp"},
	} {
		err := h.m.Offer(context.Background(), peer, offer)
		var se *signaling.Error
		if !errors.As(err, &se) || (se.Code != signaling.CodeInvalidPayload && se.Code != signaling.CodeOfferRejected) {
			t.Errorf("offer %v: %v", offer, err)
		}
	}
	for _, cand := range []map[string]any{
		{"candidate": 1.0},
		{"candidate": "x", "sdpMLineIndex": -1.0},
		{"candidate": "x", "sdpMid": 3.0},
	} {
		err := h.m.Candidate(peer, cand)
		var se *signaling.Error
		if !errors.As(err, &se) || se.Code != signaling.CodeInvalidPayload {
			t.Errorf("candidate %v: %v", cand, err)
		}
	}
	// The call is untouched by all that... apart from the offer that got
	// as far as CONNECTING before its SDP was refused.
	got, _ := h.calls.Get(context.Background(), c.ID)
	if !got.Status.Live() {
		t.Errorf("status %s", got.Status)
	}
}

func TestEndedCallIsNotAnswered(t *testing.T) {
	h := newHarness(t, defaultCfg)
	c, peer, client := h.newCall("p")
	if _, err := h.calls.End(context.Background(), c.ID, call.ReasonHangup); err != nil {
		t.Fatal(err)
	}
	caller := newCaller(t, peer, client)
	err := caller.offer(h.m, false)
	var se *signaling.Error
	if !errors.As(err, &se) || se.Code != signaling.CodeSessionNotJoinable {
		t.Fatalf("offer on an ended call: %v", err)
	}
	if h.m.Active() != 0 {
		t.Error("a session was kept for an ended call")
	}
}

func TestCloseEndsLiveCalls(t *testing.T) {
	h := newHarness(t, defaultCfg)
	c, peer, client := h.newCall("p")
	caller := newCaller(t, peer, client)
	if err := caller.offer(h.m, false); err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	if err := h.m.Close(ctx); err != nil {
		t.Fatal(err)
	}
	got, _ := h.calls.Get(context.Background(), c.ID)
	if got.Status != call.StatusEnded || got.EndReason != ReasonShutdown {
		t.Errorf("after Close: %s %q", got.Status, got.EndReason)
	}
	// A call that is still live is refused too: the manager is closed.
	_, peer2, client2 := h.newCall("p2")
	err := newCaller(t, peer2, client2).offer(h.m, false)
	if !errors.Is(err, errClosed) {
		t.Errorf("offer after Close: %v, want %v", err, errClosed)
	}
}
