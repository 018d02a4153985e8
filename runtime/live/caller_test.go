package live

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"math"
	"sync"
	"testing"
	"time"

	"github.com/pion/webrtc/v4"
	pmedia "github.com/pion/webrtc/v4/pkg/media"
	"gopkg.in/hraban/opus.v2"

	"github.com/parleyhq/parley/internal/e2e"
	"github.com/parleyhq/parley/runtime/pcm"
	"github.com/parleyhq/parley/runtime/signaling"
)

// fakeClient is the caller's socket as the Manager sees it: events it is
// sent go to a channel.
type fakeClient struct {
	sig    chan event // answer and ice-candidate, for the caller's peer
	events chan event // the rest, for the test
	mu     sync.Mutex
	gone   bool
}

type event struct {
	name    string
	payload map[string]any
}

func newFakeClient() *fakeClient {
	return &fakeClient{sig: make(chan event, 256), events: make(chan event, 4096)}
}

func (c *fakeClient) Emit(name string, payload map[string]any) {
	// Through JSON, as over the wire.
	b, err := json.Marshal(payload)
	if err != nil {
		panic(err)
	}
	var p map[string]any
	_ = json.Unmarshal(b, &p)
	ch := c.events
	if name == "answer" || name == "ice-candidate" {
		ch = c.sig
	}
	select {
	case ch <- event{name, p}:
	default:
	}
}

func (c *fakeClient) Connected() bool {
	c.mu.Lock()
	defer c.mu.Unlock()
	return !c.gone
}

func (c *fakeClient) disconnect() {
	c.mu.Lock()
	c.gone = true
	c.mu.Unlock()
}

// next waits for the next event called name, skipping others.
func (c *fakeClient) next(t *testing.T, name string) map[string]any {
	t.Helper()
	timeout := time.After(10 * time.Second)
	for {
		select {
		case e := <-c.events:
			if e.name == name {
				return e.payload
			}
		case <-timeout:
			t.Fatalf("no %q event", name)
			return nil
		}
	}
}

// asMap turns v into its JSON object form, as a client would send it.
func asMap(t *testing.T, v any) map[string]any {
	t.Helper()
	b, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	var m map[string]any
	if err := json.Unmarshal(b, &m); err != nil {
		t.Fatal(err)
	}
	return m
}

// caller is a Pion peer on loopback playing the caller's browser: it sends
// Opus audio and decodes what the agent sends back.
type caller struct {
	t      *testing.T
	pc     *webrtc.PeerConnection
	track  *webrtc.TrackLocalStaticSample
	peer   signaling.Peer
	client *fakeClient

	mu        sync.Mutex
	heard     []int16 // decoded agent audio, 48 kHz mono
	packets   int
	connected chan struct{}
	readDone  chan struct{}
}

func newCaller(t *testing.T, peer signaling.Peer, client *fakeClient) *caller {
	t.Helper()
	pc, track := e2e.LoopbackPeer(t)
	sender := pc.GetSenders()[0]
	go func() {
		buf := make([]byte, 1500)
		for {
			if _, _, err := sender.Read(buf); err != nil {
				return
			}
		}
	}()
	c := &caller{t: t, pc: pc, track: track, peer: peer, client: client, connected: make(chan struct{}), readDone: make(chan struct{})}
	var once sync.Once
	pc.OnConnectionStateChange(func(s webrtc.PeerConnectionState) {
		if s == webrtc.PeerConnectionStateConnected {
			once.Do(func() { close(c.connected) })
		}
	})
	pc.OnTrack(func(tr *webrtc.TrackRemote, _ *webrtc.RTPReceiver) { c.read(tr) })
	t.Cleanup(func() { _ = pc.Close() })
	return c
}

// read decodes the agent's audio until the track ends.
func (c *caller) read(tr *webrtc.TrackRemote) {
	defer close(c.readDone)
	dec, err := opus.NewDecoder(48000, 1)
	if err != nil {
		c.t.Error(err)
		return
	}
	pcm := make([]int16, 5760)
	for {
		pkt, _, err := tr.ReadRTP()
		if err != nil {
			return
		}
		n, err := dec.Decode(pkt.Payload, pcm)
		if err != nil {
			continue
		}
		c.mu.Lock()
		c.packets++
		c.heard = append(c.heard, pcm[:n]...)
		c.mu.Unlock()
	}
}

// offer sends the caller's offer through m; with early set, it first waits
// for all its candidates and sends them before the offer (they must be
// queued), otherwise it trickles them as found.
func (c *caller) offer(m *Manager, early bool) error {
	c.t.Helper()
	offer, err := c.pc.CreateOffer(nil)
	if err != nil {
		return err
	}
	gathered := webrtc.GatheringCompletePromise(c.pc)
	if !early {
		c.pc.OnICECandidate(func(cand *webrtc.ICECandidate) {
			if cand != nil {
				_ = m.Candidate(c.peer, asMap(c.t, cand.ToJSON()))
			}
		})
	}
	if err := c.pc.SetLocalDescription(offer); err != nil {
		return err
	}
	if early {
		<-gathered
		for _, line := range candidatesOf(c.pc.LocalDescription().SDP) {
			mid, idx := "0", uint16(0)
			if err := m.Candidate(c.peer, asMap(c.t, webrtc.ICECandidateInit{Candidate: line, SDPMid: &mid, SDPMLineIndex: &idx})); err != nil {
				return err
			}
		}
		offer = webrtc.SessionDescription{Type: webrtc.SDPTypeOffer, SDP: stripCandidates(c.pc.LocalDescription().SDP)}
	}
	return m.Offer(context.Background(), c.peer, asMap(c.t, offer))
}

// signal applies the agent's answer and candidates as they come, until
// the answer and stop.
func (c *caller) signal(stop <-chan struct{}) {
	answered := false
	var early []webrtc.ICECandidateInit
	for {
		select {
		case <-stop:
			return
		case e := <-c.client.sig:
			switch e.name {
			case "answer":
				a := e.payload["answer"].(map[string]any)
				if err := c.pc.SetRemoteDescription(webrtc.SessionDescription{Type: webrtc.SDPTypeAnswer, SDP: a["sdp"].(string)}); err != nil {
					c.t.Errorf("set answer: %v", err)
					return
				}
				answered = true
				for _, cand := range early {
					_ = c.pc.AddICECandidate(cand)
				}
			case "ice-candidate":
				b, _ := json.Marshal(e.payload["candidate"])
				var cand webrtc.ICECandidateInit
				_ = json.Unmarshal(b, &cand)
				if !answered {
					c.t.Errorf("candidate %q before the answer", cand.Candidate)
					early = append(early, cand)
					continue
				}
				if err := c.pc.AddICECandidate(cand); err != nil {
					c.t.Errorf("add candidate: %v", err)
				}
			}
		}
	}
}

// speak sends up to d of a tone at hz as 20 ms Opus frames, in real time,
// until done says enough was heard.
func (c *caller) speak(d time.Duration, hz float64, done func() bool) error {
	enc, err := opus.NewEncoder(48000, 1, opus.AppVoIP)
	if err != nil {
		return err
	}
	frame := make([]int16, 960)
	buf := make([]byte, 1500)
	tick := time.NewTicker(20 * time.Millisecond)
	defer tick.Stop()
	for i := 0; i < int(d/(20*time.Millisecond)) && !done(); i++ {
		for j := range frame {
			frame[j] = int16(8000 * math.Sin(2*math.Pi*hz*float64(i*960+j)/48000))
		}
		n, err := enc.Encode(frame, buf)
		if err != nil {
			return err
		}
		if err := c.track.WriteSample(pmedia.Sample{Data: buf[:n], Duration: 20 * time.Millisecond}); err != nil {
			return err
		}
		<-tick.C
	}
	return nil
}

// heardRMS returns the RMS of the loudest 100 ms of what the caller heard
// and how long the caller heard audio above rms 500.
func (c *caller) heardRMS() (peak float64, loud time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	const win = 4800
	for i := 0; i+win <= len(c.heard); i += win {
		r := rms(c.heard[i : i+win])
		peak = max(peak, r)
		if r > 500 {
			loud += 100 * time.Millisecond
		}
	}
	return peak, loud
}

func rms(s []int16) float64 {
	if len(s) == 0 {
		return 0
	}
	var sum float64
	for _, v := range s {
		sum += float64(v) * float64(v)
	}
	return math.Sqrt(sum / float64(len(s)))
}

func candidatesOf(sdp string) []string {
	var out []string
	for _, l := range splitLines(sdp) {
		if len(l) > 12 && l[:12] == "a=candidate:" {
			out = append(out, l[2:])
		}
	}
	return out
}

func stripCandidates(sdp string) string {
	var out string
	for _, l := range splitLines(sdp) {
		if len(l) > 12 && l[:12] == "a=candidate:" || l == "a=end-of-candidates" {
			continue
		}
		out += l + "\r\n"
	}
	return out
}

func splitLines(s string) []string {
	var out []string
	start := 0
	for i := 0; i < len(s); i++ {
		if s[i] == '\n' {
			l := s[start:i]
			if len(l) > 0 && l[len(l)-1] == '\r' {
				l = l[:len(l)-1]
			}
			out = append(out, l)
			start = i + 1
		}
	}
	if start < len(s) {
		out = append(out, s[start:])
	}
	return out
}

func decodeAudioEvent(ev map[string]any) (pcm.Audio, error) {
	b, err := base64.StdEncoding.DecodeString(ev["audioData"].(string))
	if err != nil {
		return pcm.Audio{}, err
	}
	s, err := pcm.AppendSamplesLE(nil, b)
	return pcm.Audio{Samples: s, Rate: int(ev["sampleRate"].(float64))}, err
}
