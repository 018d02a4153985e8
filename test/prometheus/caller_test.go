package prometheus

import (
	"encoding/json"
	"net/http"
	"testing"
	"time"

	"github.com/pion/webrtc/v4"
	"github.com/stretchr/testify/require"
	sio "github.com/zishang520/socket.io/clients/socket/v3"

	"github.com/parleyhq/parley/internal/e2e"
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
	mic     *e2e.Mic
	events  *e2e.Events
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
	c := &caller{t: t, rt: rt, id: cl["id"].(string), session: cl["sessionId"].(string)}
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
// the test ends, as a browser does: what say queued, silence otherwise
// (e2e.Mic).
func (c *caller) startMic() {
	c.mic = e2e.StartMic(c.t, c.track)
}

// say queues pcm (48 kHz) on the microphone; the channel closes once it
// has been sent.
func (c *caller) say(pcm []int16) <-chan struct{} {
	return c.mic.Say(pcm)
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
