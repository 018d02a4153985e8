package prometheus

import (
	"context"
	"encoding/json"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/pion/webrtc/v4"
	pmedia "github.com/pion/webrtc/v4/pkg/media"
	"github.com/stretchr/testify/require"
	sio "github.com/zishang520/socket.io/clients/socket/v3"
	"github.com/zishang520/socket.io/v3/pkg/types"
	"gopkg.in/hraban/opus.v2"

	"github.com/parleyhq/parley/internal/e2e"
)

const (
	frameSamples = 960 // 20 ms at 48 kHz
	frameLen     = 20 * time.Millisecond
)

// caller calls the runtime's default agent as a browser would: REST to
// create the call, Socket.IO on /signaling, a Pion peer on loopback.
type caller struct {
	t       *testing.T
	rt      *e2e.Runtime
	id      string
	session string
	sock    *sio.Socket
	pc      *webrtc.PeerConnection
	track   *webrtc.TrackLocalStaticSample
	speech  chan utterance

	mu     sync.Mutex
	events []sigEvent
}

type sigEvent struct {
	name    string
	payload map[string]any
}

// utterance is audio for the microphone and a channel closed once it is
// sent.
type utterance struct {
	pcm  []int16
	sent chan struct{}
}

// dial creates a call to the default agent and connects its WebRTC media;
// the call is IN_PROGRESS when it returns. The microphone sends nothing
// until startMic. With connect false the caller sends its offer and then
// ignores the answer, as a client whose network blocks the media would: the
// call stays CONNECTING.
func dial(t *testing.T, rt *e2e.Runtime, connect bool) *caller {
	t.Helper()
	data := apiCall(t, rt, http.MethodPost, "/api/v1/calls", `{"callerNumber":"01012345678"}`)
	cl := data["call"].(map[string]any)
	c := &caller{t: t, rt: rt, id: cl["id"].(string), session: cl["sessionId"].(string), speech: make(chan utterance, 4)}
	done := make(chan struct{})
	t.Cleanup(func() { close(done) })
	candidates := make(chan map[string]any, 256)
	c.joinSession(candidates)

	c.pc, c.track = e2e.LoopbackPeer(t)
	c.pc.OnTrack(func(tr *webrtc.TrackRemote, _ *webrtc.RTPReceiver) { // read and drop
		for {
			if _, _, err := tr.ReadRTP(); err != nil {
				return
			}
		}
	})
	c.pc.OnICECandidate(func(cand *webrtc.ICECandidate) {
		if cand != nil && connect {
			_ = c.sock.Emit("ice-candidate", map[string]any{"sessionId": c.session, "peerId": "client-peer", "candidate": cand.ToJSON()})
		}
	})
	connected := make(chan struct{})
	var once sync.Once
	c.pc.OnConnectionStateChange(func(s webrtc.PeerConnectionState) {
		if s == webrtc.PeerConnectionStateConnected {
			once.Do(func() { close(connected) })
		}
	})
	offer, err := c.pc.CreateOffer(nil)
	require.NoError(t, err)
	require.NoError(t, c.pc.SetLocalDescription(offer))
	require.NoError(t, c.sock.Emit("offer", map[string]any{"sessionId": c.session, "peerId": "client-peer", "offer": offer}))
	answer := c.wait("answer", 1, nil)
	if !connect {
		require.Equal(t, "CONNECTING", c.status())
		return c
	}
	sdp := answer["answer"].(map[string]any)["sdp"].(string)
	require.NoError(t, c.pc.SetRemoteDescription(webrtc.SessionDescription{Type: webrtc.SDPTypeAnswer, SDP: sdp}))
	go func() {
		for {
			select {
			case e := <-candidates:
				b, _ := json.Marshal(e["candidate"])
				var cand webrtc.ICECandidateInit
				if json.Unmarshal(b, &cand) == nil {
					_ = c.pc.AddICECandidate(cand)
				}
			case <-done:
				return
			}
		}
	}()
	select {
	case <-connected:
	case <-time.After(15 * time.Second):
		t.Fatal("WebRTC did not connect")
	}
	require.Eventually(t, func() bool { return c.status() == "IN_PROGRESS" }, 10*time.Second, 20*time.Millisecond)
	return c
}

// status is the call's status through the REST API.
func (c *caller) status() string {
	res, err := http.Get(c.rt.Base + "/api/v1/calls/" + c.id)
	if err != nil {
		return ""
	}
	defer res.Body.Close()
	var out struct {
		Data struct {
			Call struct {
				Status string `json:"status"`
			} `json:"call"`
		} `json:"data"`
	}
	_ = json.NewDecoder(res.Body).Decode(&out)
	return out.Data.Call.Status
}

// startMic makes the microphone send a 20 ms Opus frame every 20 ms until
// the test ends, as a browser does: what say queued, silence otherwise.
func (c *caller) startMic() {
	enc, err := opus.NewEncoder(48000, 1, opus.AppVoIP)
	require.NoError(c.t, err)
	ctx, cancel := context.WithCancel(context.Background())
	stopped := make(chan struct{})
	c.t.Cleanup(func() { cancel(); <-stopped }) // before the peer closes
	go func() {
		defer close(stopped)
		tick := time.NewTicker(frameLen)
		defer tick.Stop()
		silence := make([]int16, frameSamples)
		buf := make([]byte, 1500)
		var cur *utterance
		var rest []int16
		for {
			select {
			case <-ctx.Done():
				return
			case <-tick.C:
			}
			if cur == nil {
				select {
				case u := <-c.speech:
					cur, rest = &u, u.pcm
				default:
				}
			}
			frame := silence
			if cur != nil {
				frame = make([]int16, frameSamples)
				rest = rest[copy(frame, rest):]
				if len(rest) == 0 {
					close(cur.sent)
					cur = nil
				}
			}
			n, err := enc.Encode(frame, buf)
			if err != nil {
				c.t.Errorf("opus encode: %v", err)
				return
			}
			if err := c.track.WriteSample(pmedia.Sample{Data: buf[:n], Duration: frameLen}); err != nil {
				c.t.Errorf("write the microphone's sample: %v", err)
				return
			}
		}
	}()
}

// say queues pcm (48 kHz) on the microphone; the channel closes once it
// has been sent.
func (c *caller) say(pcm []int16) <-chan struct{} {
	u := utterance{pcm: pcm, sent: make(chan struct{})}
	c.speech <- u
	return u.sent
}

// wait returns the nth event called name that match accepts (nil: any),
// failing on an error event or after 30 s.
func (c *caller) wait(name string, nth int, match func(map[string]any) bool) map[string]any {
	c.t.Helper()
	deadline := time.Now().Add(30 * time.Second)
	for time.Now().Before(deadline) {
		e, ok, failure := c.find(name, nth, match)
		if failure != nil {
			c.t.Fatalf("call %s: signaling error: %v", c.id, failure)
		}
		if ok {
			return e
		}
		time.Sleep(10 * time.Millisecond)
	}
	c.t.Fatalf("call %s: no event %s #%d; got %v", c.id, name, nth, c.names())
	return nil
}

// find returns the nth event called name that match accepts, or the
// payload of an error event.
func (c *caller) find(name string, nth int, match func(map[string]any) bool) (event map[string]any, ok bool, failure map[string]any) {
	c.mu.Lock()
	defer c.mu.Unlock()
	seen := 0
	for _, e := range c.events {
		if e.name == "error" {
			return nil, false, e.payload
		}
		if e.name == name && (match == nil || match(e.payload)) {
			if seen++; seen == nth {
				return e.payload, true, nil
			}
		}
	}
	return nil, false, nil
}

func (c *caller) names() []string {
	c.mu.Lock()
	defer c.mu.Unlock()
	var out []string
	for _, e := range c.events {
		out = append(out, e.name)
	}
	return out
}

// leave hangs up as the caller: leave-session.
func (c *caller) leave() {
	require.NoError(c.t, c.sock.Emit("leave-session", map[string]any{"sessionId": c.session, "peerId": "client-peer"}))
}

// sigTimeout bounds the Socket.IO connection and the join.
const sigTimeout = 10 * time.Second

// joinSession connects to /signaling and joins the call's session as
// client-peer, once: a join that is not confirmed fails the test. Server
// events are recorded; ICE candidates go to candidates.
func (c *caller) joinSession(candidates chan<- map[string]any) {
	c.t.Helper()
	sock, err := e2e.ConnectSignaling(c.rt.Base, sigTimeout, func(sock *sio.Socket) {
		for _, name := range []string{"joined-session", "answer", "ice-candidate", "error", "peer-left",
			"call-status", "transcript", "agent-response", "sentiment", "agent-speaking"} {
			_ = sock.On(types.EventName(name), func(args ...any) {
				var payload map[string]any
				if len(args) > 0 {
					payload, _ = args[0].(map[string]any)
				}
				if name == "ice-candidate" {
					select {
					case candidates <- payload:
					default:
					}
					return
				}
				c.mu.Lock()
				c.events = append(c.events, sigEvent{name, payload})
				c.mu.Unlock()
			})
		}
	})
	require.NoError(c.t, err, "socket.io connect")
	c.sock = sock
	c.t.Cleanup(func() { sock.Disconnect() })
	require.NoError(c.t, sock.Emit("join-session", map[string]any{"sessionId": c.session, "peerId": "client-peer"}))
	require.Eventually(c.t, func() bool {
		_, ok, _ := c.find("joined-session", 1, nil)
		return ok
	}, sigTimeout, 10*time.Millisecond, "join-session was not confirmed")
}

// apiCall sends a JSON request to the runtime and returns the data of its
// success envelope.
func apiCall(t *testing.T, rt *e2e.Runtime, method, path, body string) map[string]any {
	t.Helper()
	req, err := http.NewRequestWithContext(context.Background(), method, rt.Base+path, strings.NewReader(body))
	require.NoError(t, err)
	if body != "" {
		req.Header.Set("Content-Type", "application/json")
	}
	res, err := http.DefaultClient.Do(req)
	require.NoError(t, err)
	defer res.Body.Close()
	var out map[string]any
	require.NoError(t, json.NewDecoder(res.Body).Decode(&out))
	require.Equal(t, true, out["success"], "%s %s: %v", method, path, out)
	return out["data"].(map[string]any)
}
