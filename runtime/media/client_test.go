package media

import (
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/pion/interceptor"
	"github.com/pion/rtcp"
	"github.com/pion/rtp"
	"github.com/pion/webrtc/v4"
	pmedia "github.com/pion/webrtc/v4/pkg/media"
	"github.com/stretchr/testify/require"
	"gopkg.in/hraban/opus.v2"

	"github.com/parleyhq/parley/internal/loopback"
	"github.com/parleyhq/parley/runtime/audio"
)

const waitLong = 15 * time.Second // generous: a deadline, not a timing assertion

var (
	clientOpus = webrtc.RTPCodecParameters{
		RTPCodecCapability: webrtc.RTPCodecCapability{MimeType: webrtc.MimeTypeOpus, ClockRate: 48000, Channels: 2, SDPFmtpLine: "minptime=10;useinbandfec=1"},
		PayloadType:        109, // Firefox's number: the answer must follow the offer's
	}
	clientPCMU = webrtc.RTPCodecParameters{
		RTPCodecCapability: webrtc.RTPCodecCapability{MimeType: webrtc.MimeTypePCMU, ClockRate: 8000},
		PayloadType:        0,
	}
	clientG722 = webrtc.RTPCodecParameters{
		RTPCodecCapability: webrtc.RTPCodecCapability{MimeType: webrtc.MimeTypeG722, ClockRate: 8000},
		PayloadType:        9,
	}
	clientVP8 = webrtc.RTPCodecParameters{
		RTPCodecCapability: webrtc.RTPCodecCapability{MimeType: webrtc.MimeTypeVP8, ClockRate: 90000},
		PayloadType:        96,
	}
)

func newTestEngine(t *testing.T) *Engine {
	t.Helper()
	e, err := NewEngine(Config{Loopback: true})
	require.NoError(t, err)
	return e
}

// client is the caller's side in tests: a Pion peer with the same loopback
// settings as the engine, offering the codecs it is given.
type client struct {
	t     *testing.T
	pc    *webrtc.PeerConnection
	track *webrtc.TrackLocalStaticSample
	codec webrtc.RTPCodecParameters

	mu        sync.Mutex
	received  []int16 // decoded audio from the agent, at the codec rate
	connected chan struct{}
	connOnce  sync.Once
	trickled  atomic.Bool  // the answer was applied and Trickle called
	early     atomic.Int32 // agent candidates that arrived before that
	echoedSR  atomic.Int32 // agent receiver reports that name a sender report of ours
	wg        sync.WaitGroup
}

func newClient(t *testing.T, codecs ...webrtc.RTPCodecParameters) *client {
	t.Helper()
	m := &webrtc.MediaEngine{}
	for _, c := range codecs {
		typ := webrtc.RTPCodecTypeAudio
		if strings.HasPrefix(c.MimeType, "video/") {
			typ = webrtc.RTPCodecTypeVideo
		}
		require.NoError(t, m.RegisterCodec(c, typ))
	}
	// Reports as a browser sends them: the agent peer must read them.
	ir := &interceptor.Registry{}
	require.NoError(t, webrtc.ConfigureRTCPReports(ir))
	api, err := loopback.NewAPI(m, ir)
	require.NoError(t, err)
	pc, err := api.NewPeerConnection(webrtc.Configuration{})
	require.NoError(t, err)

	c := &client{t: t, pc: pc, codec: codecs[0], connected: make(chan struct{})}
	if strings.HasPrefix(c.codec.MimeType, "video/") {
		_, err = pc.AddTransceiverFromKind(webrtc.RTPCodecTypeVideo)
		require.NoError(t, err)
	} else {
		c.track, err = webrtc.NewTrackLocalStaticSample(c.codec.RTPCodecCapability, "mic", "caller")
		require.NoError(t, err)
		sender, err := pc.AddTrack(c.track)
		require.NoError(t, err)
		c.wg.Add(1)
		go func() {
			defer c.wg.Done()
			c.readReports(sender)
		}()
	}
	pc.OnConnectionStateChange(func(s webrtc.PeerConnectionState) {
		if s == webrtc.PeerConnectionStateConnected {
			c.connOnce.Do(func() { close(c.connected) })
		}
	})
	pc.OnTrack(func(tr *webrtc.TrackRemote, _ *webrtc.RTPReceiver) {
		c.wg.Add(1)
		defer c.wg.Done()
		c.read(tr)
	})
	t.Cleanup(c.close)
	return c
}

func (c *client) close() {
	_ = c.pc.GracefulClose()
	c.wg.Wait()
}

// read decodes what the agent sends.
func (c *client) read(tr *webrtc.TrackRemote) {
	var dec *opus.Decoder
	if strings.EqualFold(tr.Codec().MimeType, webrtc.MimeTypeOpus) {
		var err error
		if dec, err = opus.NewDecoder(48000, 1); err != nil {
			c.t.Error(err)
			return
		}
	}
	buf := make([]byte, 1500)
	pcm := make([]int16, opusMaxFrame)
	var pkt rtp.Packet
	for {
		n, _, err := tr.Read(buf)
		if err != nil {
			return
		}
		if pkt.Unmarshal(buf[:n]) != nil {
			continue
		}
		var out []int16
		if dec != nil {
			k, err := dec.Decode(pkt.Payload, pcm)
			if err != nil {
				c.t.Errorf("client decode: %v", err)
				continue
			}
			out = pcm[:k]
		} else {
			out = audio.AppendUlawSamples(nil, pkt.Payload)
		}
		c.mu.Lock()
		c.received = append(c.received, out...)
		c.mu.Unlock()
	}
}

// readReports reads the agent's RTCP about the client's track and counts
// the receiver reports whose LastSenderReport is set: the agent peer read
// the client's sender reports.
func (c *client) readReports(sender *webrtc.RTPSender) {
	for {
		pkts, _, err := sender.ReadRTCP()
		if err != nil {
			return
		}
		for _, p := range pkts {
			rr, ok := p.(*rtcp.ReceiverReport)
			if !ok {
				continue
			}
			for _, r := range rr.Reports {
				if r.LastSenderReport != 0 {
					c.echoedSR.Add(1)
				}
			}
		}
	}
}

func (c *client) receivedAudio() []int16 {
	c.mu.Lock()
	defer c.mu.Unlock()
	return append([]int16(nil), c.received...)
}

// offer creates the offer and sends the client's candidates to peer as
// they are found, from before the answer on.
func (c *client) offer(peer *Peer) webrtc.SessionDescription {
	c.t.Helper()
	var sent sync.WaitGroup
	sent.Add(1)
	var once sync.Once
	c.pc.OnICECandidate(func(cand *webrtc.ICECandidate) {
		if cand == nil {
			return
		}
		if err := peer.AddCandidate(cand.ToJSON()); err != nil {
			c.t.Errorf("add client candidate: %v", err)
		}
		once.Do(sent.Done)
	})
	offer, err := c.pc.CreateOffer(nil)
	require.NoError(c.t, err)
	require.NoError(c.t, c.pc.SetLocalDescription(offer))
	sent.Wait() // at least one candidate reaches the peer before the answer
	return offer
}

// answer sends the offer to peer and applies its answer.
func (c *client) answer(peer *Peer) webrtc.SessionDescription {
	c.t.Helper()
	answer, err := peer.Answer(c.offer(peer))
	require.NoError(c.t, err)
	require.NotContains(c.t, answer.SDP, "a=candidate", "candidates trickle after the answer")
	require.NoError(c.t, c.pc.SetRemoteDescription(answer))
	return answer
}

// finish starts the agent's trickle and waits for the client to connect.
func (c *client) finish(peer *Peer) {
	c.t.Helper()
	c.trickled.Store(true)
	peer.Trickle()
	select {
	case <-c.connected:
	case <-time.After(waitLong):
		c.t.Fatal("client did not connect")
	}
}

// connect runs the whole set-up: offer, answer, trickle both ways.
func (c *client) connect(peer *Peer) webrtc.SessionDescription {
	c.t.Helper()
	answer := c.answer(peer)
	c.finish(peer)
	return answer
}

// onCandidate is the agent peer's OnCandidate: it adds the candidate to
// the client and counts ones that came too early.
func (c *client) onCandidate(ci webrtc.ICECandidateInit) {
	if !c.trickled.Load() {
		c.early.Add(1)
	}
	if err := c.pc.AddICECandidate(ci); err != nil {
		c.t.Errorf("add agent candidate: %v", err)
	}
}

// send writes pcm (at the codec rate) as 20 ms frames, paced in real time.
func (c *client) send(pcm []int16) {
	c.t.Helper()
	rate := 8000
	var enc *opusEncoder
	if strings.EqualFold(c.codec.MimeType, webrtc.MimeTypeOpus) {
		rate = 48000
		var err error
		enc, err = newOpusEncoder(opusRate)
		require.NoError(c.t, err)
	}
	frame := rate / framesPerSec
	tick := time.NewTicker(frameDuration)
	defer tick.Stop()
	for i := 0; i+frame <= len(pcm); i += frame {
		var data []byte
		if enc != nil {
			b, err := enc.encode(pcm[i : i+frame])
			require.NoError(c.t, err)
			data = b
		} else {
			data = audio.AppendUlaw(nil, pcm[i:i+frame])
		}
		require.NoError(c.t, c.track.WriteSample(pmedia.Sample{Data: data, Duration: frameDuration}))
		<-tick.C
	}
}

// stateLog records a Peer's OnState calls.
type stateLog struct {
	mu     sync.Mutex
	states []State
}

func (l *stateLog) add(s State) {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.states = append(l.states, s)
}

func (l *stateLog) has(s State) bool {
	l.mu.Lock()
	defer l.mu.Unlock()
	for _, x := range l.states {
		if x == s {
			return true
		}
	}
	return false
}
