package prometheus

import (
	"context"
	"encoding/json"
	"net/http"
	"testing"
	"time"

	"github.com/pion/webrtc/v4"
	pmedia "github.com/pion/webrtc/v4/pkg/media"
	"github.com/stretchr/testify/require"
	sio "github.com/zishang520/socket.io/clients/socket/v3"
	"gopkg.in/hraban/opus.v2"

	"github.com/parleyhq/parley/internal/e2e"
)

const (
	frameSamples = 960 // 20 ms at 48 kHz
	frameLen     = 20 * time.Millisecond
)

// caller calls the runtime's default agent as a browser would: REST to
// create the call, Socket.IO on /signaling, a Pion peer on loopback
// (e2e.Dial).
type caller struct {
	t       *testing.T
	rt      *e2e.Runtime
	id      string
	session string
	sock    *sio.Socket
	pc      *webrtc.PeerConnection
	track   *webrtc.TrackLocalStaticSample
	speech  chan utterance
	events  *e2e.Events
}

// utterance is audio for the microphone and a channel closed once it is
// sent.
type utterance struct {
	pcm  []int16
	sent chan struct{}
}

// sigTimeout bounds the wait for the answer: 30 s, as for every event.
const sigTimeout = 30 * time.Second

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
	d := e2e.Dial(t, rt.Base, c.session, e2e.DialOptions{
		Record:        []string{"peer-left", "call-status", "transcript", "agent-response", "sentiment", "agent-speaking"},
		AnswerTimeout: sigTimeout,
		IgnoreAnswer:  !connect,
	})
	c.sock, c.pc, c.track, c.events = d.Sock, d.PC, d.Mic, d.Events
	if !connect {
		require.Equal(t, "CONNECTING", c.status())
		return c
	}
	d.WaitConnected(t, 15*time.Second)
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
	return c.events.Wait(c.t, name, nth, match, sigTimeout)
}

// leave hangs up as the caller: leave-session.
func (c *caller) leave() {
	require.NoError(c.t, c.sock.Emit("leave-session", map[string]any{"sessionId": c.session, "peerId": "client-peer"}))
}

// apiCall sends a JSON request to the runtime and returns the data of its
// success envelope (e2e.Runtime.API).
func apiCall(t *testing.T, rt *e2e.Runtime, method, path, body string) map[string]any {
	t.Helper()
	return rt.API(t, method, path, body)
}
