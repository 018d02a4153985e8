package main

import (
	"encoding/json"
	"fmt"
	"net"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/pion/webrtc/v4"
	"github.com/pion/webrtc/v4/pkg/media"
	"github.com/stretchr/testify/require"
	"github.com/zishang520/socket.io/servers/socket/v3"
	"github.com/zishang520/socket.io/v3/pkg/types"

	"github.com/parleyhq/parley/bench/internal/speech"
	"github.com/parleyhq/parley/internal/caller"
)

// fakeRuntime speaks the runtime's call contract with an agent that
// answers every offer with a Pion peer and talks: one second of voice,
// then silence packets every 20 ms until the call ends.
type fakeRuntime struct {
	t    *testing.T
	URL  string
	api  *webrtc.API
	io   *socket.Server
	srv  *http.Server
	talk [][]byte // voice, then silence

	mu     sync.Mutex
	next   int
	calls  map[string]*fakeCall // by id
	byID   map[string]string    // sessionId -> id
	ended  int
	joined int
	// onDisconnect, if set before any connection, sees every disconnect.
	onDisconnect func(reason []any)
}

type fakeCall struct {
	id, session, status string
	pc                  *webrtc.PeerConnection
}

func startFakeRuntime(t *testing.T) *fakeRuntime {
	t.Helper()
	api, err := caller.NewAPI()
	require.NoError(t, err)
	voice, err := speech.EncodeOpus(speech.Synth(16000, time.Second, speech.Words))
	require.NoError(t, err)
	silence, err := loadSpeech("silence", "", "", 0)
	require.NoError(t, err)
	f := &fakeRuntime{t: t, api: api, talk: append(voice, silence.Frames[0]), calls: map[string]*fakeCall{}, byID: map[string]string{}}

	so := socket.DefaultServerOptions()
	so.SetTransports(types.NewSet(socket.Polling, socket.WebSocket))
	f.io = socket.NewServer(nil, so)
	_ = f.io.Of("/signaling", nil).On("connection", func(args ...any) {
		f.onConnection(args[0].(*socket.Socket))
	})
	mux := http.NewServeMux()
	mux.Handle("/socket.io/", f.io.ServeHandler(so))
	mux.HandleFunc("GET /readyz", func(w http.ResponseWriter, _ *http.Request) { w.WriteHeader(http.StatusOK) })
	mux.HandleFunc("POST /api/v1/calls", f.create)
	mux.HandleFunc("POST /api/v1/calls/{id}/{op}", f.change)
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	f.URL = "http://" + ln.Addr().String()
	f.srv = &http.Server{Handler: mux, ReadHeaderTimeout: 5 * time.Second}
	go func() { _ = f.srv.Serve(ln) }()
	t.Cleanup(func() {
		f.io.Close(nil)
		_ = f.srv.Close()
		f.mu.Lock()
		defer f.mu.Unlock()
		for _, c := range f.calls {
			if c.pc != nil {
				_ = c.pc.Close()
			}
		}
	})
	return f
}

func (f *fakeRuntime) reply(w http.ResponseWriter, status int, c *fakeCall) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(map[string]any{"success": true, "data": map[string]any{
		"call": map[string]any{"id": c.id, "sessionId": c.session, "status": c.status},
	}})
}

func (f *fakeRuntime) create(w http.ResponseWriter, r *http.Request) {
	var body struct {
		CallerNumber string `json:"callerNumber"`
	}
	if json.NewDecoder(r.Body).Decode(&body) != nil || body.CallerNumber == "" {
		http.Error(w, `{"success":false,"error":{"code":"VALIDATION_ERROR","message":"callerNumber"}}`, http.StatusBadRequest)
		return
	}
	f.mu.Lock()
	f.next++
	c := &fakeCall{id: fmt.Sprintf("call-%d", f.next), session: fmt.Sprintf("session-%d", f.next), status: "RINGING"}
	f.calls[c.id], f.byID[c.session] = c, c.id
	f.mu.Unlock()
	f.reply(w, http.StatusCreated, c)
}

func (f *fakeRuntime) change(w http.ResponseWriter, r *http.Request) {
	f.mu.Lock()
	c := f.calls[r.PathValue("id")]
	var pc *webrtc.PeerConnection
	switch {
	case c == nil:
	case r.PathValue("op") == "connect":
		c.status = "CONNECTING"
	case r.PathValue("op") == "end":
		c.status, pc = "ENDED", c.pc
		f.ended++
	}
	f.mu.Unlock()
	if c == nil {
		http.Error(w, `{"success":false,"error":{"code":"CALL_NOT_FOUND","message":"no call"}}`, http.StatusNotFound)
		return
	}
	if pc != nil {
		_ = pc.Close()
	}
	f.reply(w, http.StatusOK, c)
}

// onConnection serves one caller socket; its events are handled in order
// on one goroutine, as Pion calls must not race.
func (f *fakeRuntime) onConnection(s *socket.Socket) {
	type ev struct {
		name string
		data map[string]any
	}
	evs, gone := make(chan ev, 64), make(chan struct{})
	var once sync.Once
	for _, name := range []string{"join-session", "offer", "ice-candidate"} {
		_ = s.On(name, func(args ...any) {
			data, _ := caller.First[map[string]any](args)
			select {
			case evs <- ev{name, data}:
			case <-gone:
			}
		})
	}
	_ = s.On("disconnect", func(args ...any) {
		once.Do(func() { close(gone) })
		if f.onDisconnect != nil {
			f.onDisconnect(args)
		}
	})
	go func() {
		var c *fakeCall
		for {
			var e ev
			select {
			case e = <-evs:
			case <-gone:
				return
			}
			switch e.name {
			case "join-session":
				f.mu.Lock()
				c = f.calls[f.byID[e.data["sessionId"].(string)]]
				f.joined++
				f.mu.Unlock()
				if c == nil {
					_ = s.Emit("error", map[string]any{"code": "SESSION_NOT_FOUND", "message": "no session"})
					continue
				}
				_ = s.Emit("joined-session", map[string]any{"sessionId": c.session, "peerId": e.data["peerId"]})
			case "offer":
				f.answer(s, c, e.data["offer"].(map[string]any))
			case "ice-candidate":
				raw, _ := json.Marshal(e.data["candidate"])
				var cand webrtc.ICECandidateInit
				if f.check(json.Unmarshal(raw, &cand)) && c != nil && c.pc != nil {
					f.check(c.pc.AddICECandidate(cand))
				}
			}
		}
	}()
}

// check reports err from a goroutine other than the test's.
func (f *fakeRuntime) check(err error) bool {
	if err != nil {
		f.t.Errorf("fake runtime: %v", err)
	}
	return err == nil
}

func (f *fakeRuntime) answer(s *socket.Socket, c *fakeCall, offer map[string]any) {
	pc, err := f.api.NewPeerConnection(webrtc.Configuration{})
	if !f.check(err) {
		return
	}
	track, err := webrtc.NewTrackLocalStaticSample(caller.Opus, "agent", "agent")
	if !f.check(err) {
		return
	}
	if _, err = pc.AddTrack(track); !f.check(err) {
		return
	}
	pc.OnICECandidate(func(cand *webrtc.ICECandidate) {
		if cand != nil {
			_ = s.Emit("ice-candidate", map[string]any{"peerId": "agent", "candidate": cand.ToJSON()})
		}
	})
	// Reading the caller's audio is what feeds Pion's receiver reports.
	pc.OnTrack(func(tr *webrtc.TrackRemote, _ *webrtc.RTPReceiver) {
		go func() {
			buf := make([]byte, 1500)
			for {
				if _, _, err := tr.Read(buf); err != nil {
					return
				}
			}
		}()
	})
	pc.OnConnectionStateChange(func(st webrtc.PeerConnectionState) {
		if st == webrtc.PeerConnectionStateConnected {
			go f.speak(pc, track)
		}
	})
	f.mu.Lock()
	c.pc = pc
	f.mu.Unlock()
	sdp, _ := offer["sdp"].(string)
	if !f.check(pc.SetRemoteDescription(webrtc.SessionDescription{Type: webrtc.SDPTypeOffer, SDP: sdp})) {
		return
	}
	ans, err := pc.CreateAnswer(nil)
	if !f.check(err) || !f.check(pc.SetLocalDescription(ans)) {
		return
	}
	_ = s.Emit("answer", map[string]any{"peerId": "agent", "answer": map[string]any{"type": "answer", "sdp": ans.SDP}})
}

func (f *fakeRuntime) speak(pc *webrtc.PeerConnection, track *webrtc.TrackLocalStaticSample) {
	tick := time.NewTicker(speech.FrameDuration)
	defer tick.Stop()
	for i := 0; pc.ConnectionState() == webrtc.PeerConnectionStateConnected; i++ {
		<-tick.C
		frame := f.talk[min(i, len(f.talk)-1)]
		if err := track.WriteSample(media.Sample{Data: frame, Duration: speech.FrameDuration}); err != nil {
			return
		}
	}
}

// TestRunAgainstFakeRuntime places calls against the fake runtime and
// checks what the report says of them.
func TestRunAgainstFakeRuntime(t *testing.T) {
	if testing.Short() {
		t.Skip("Pion peers for a few seconds")
	}
	f := startFakeRuntime(t)
	var log strings.Builder
	o := options{
		URL: f.URL, Calls: 3, Ramp: 20, Duration: 2 * time.Second, SetupTimeout: 20 * time.Second,
		Audio: "speech", Pause: 500 * time.Millisecond, Text: "Hello, when are you open?", Warmup: true, Caller: "01012345678",
	}
	rep, err := run(t.Context(), o, &log)
	require.NoError(t, err, log.String())
	var out strings.Builder
	rep.print(&out)
	t.Log("\n" + out.String())
	require.Equal(t, 3, rep.Connected)
	require.Zero(t, rep.Failed)
	require.Zero(t, rep.Dropped)
	require.Zero(t, rep.ConnectErrors)
	require.Equal(t, 3, rep.Setup.OfferConnected.N)
	require.Equal(t, 3, rep.Setup.OfferVoice.N, "the agent's greeting is recognised as speech")

	// 3 calls for 2 s at 50 packets a second: about 300 intervals.
	require.Greater(t, rep.FrameInterval.N, 200)
	require.InDelta(t, 20, rep.FrameInterval.P50, 3, "frames are 20 ms apart")
	require.Less(t, rep.Downlink.Percent, 2.0)
	require.Greater(t, rep.Downlink.Expected, uint64(200))
	require.Greater(t, rep.Uplink.Sent, uint64(200))
	require.Zero(t, rep.Uplink.SendErrors)
	require.Equal(t, 3, rep.Uplink.Reports, "the agent's RTCP receiver reports reach the callers")
	require.Less(t, rep.Uplink.Percent, 2.0)
	require.Greater(t, rep.Uplink.Expected, uint64(100), "reports cover the packets sent")
	require.Positive(t, rep.AgentVoiced)
	require.Less(t, rep.AgentVoiced, 100.0, "then silence packets")
	require.GreaterOrEqual(t, rep.Events["answer"], 4)
	require.GreaterOrEqual(t, rep.Events["joined-session"], 4)

	f.mu.Lock()
	defer f.mu.Unlock()
	require.Equal(t, 4, f.ended, "warm-up and every call ended over REST")
	require.Equal(t, 4, f.joined)
	for _, c := range f.calls {
		require.Equal(t, "ENDED", c.status)
	}
}
