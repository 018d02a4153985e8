package main

import (
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"net"
	"sync"
	"sync/atomic"
	"time"

	"github.com/pion/ice/v4"
	"github.com/pion/interceptor"
	"github.com/pion/rtcp"
	"github.com/pion/rtp"
	"github.com/pion/webrtc/v4"
)

// voicedBytes is the Opus payload size above which an agent packet counts
// as speech: libopus codes digital silence in a few bytes.
const voicedBytes = 20

// newAPI is the Pion set-up of every simulated caller: Opus only, RTCP
// reports (so the runtime learns our reception and we learn its), and ICE
// on loopback only, which Pion does not gather without these settings.
func newAPI() (*webrtc.API, error) {
	me := &webrtc.MediaEngine{}
	if err := me.RegisterCodec(webrtc.RTPCodecParameters{RTPCodecCapability: opusCodec, PayloadType: 111}, webrtc.RTPCodecTypeAudio); err != nil {
		return nil, err
	}
	ir := &interceptor.Registry{}
	if err := webrtc.ConfigureRTCPReports(ir); err != nil {
		return nil, err
	}
	se := webrtc.SettingEngine{}
	se.SetICEMulticastDNSMode(ice.MulticastDNSModeDisabled)
	se.SetNetworkTypes([]webrtc.NetworkType{webrtc.NetworkTypeUDP4})
	se.SetIncludeLoopbackCandidate(true)
	se.SetIPFilter(func(ip net.IP) bool { return ip.IsLoopback() })
	return webrtc.NewAPI(webrtc.WithMediaEngine(me), webrtc.WithInterceptorRegistry(ir), webrtc.WithSettingEngine(se)), nil
}

var opusCodec = webrtc.RTPCodecCapability{
	MimeType: webrtc.MimeTypeOpus, ClockRate: 48000, Channels: 2, SDPFmtpLine: "minptime=10;useinbandfec=1",
}

// shared is what every call of a run uses.
type shared struct {
	base   string
	rest   *restClient
	api    *webrtc.API
	speech *speech
	events *eventCounts
	caller string
	agent  string
	// steady is on during the measured window; frames are counted only then.
	steady atomic.Bool
}

// setupTimes are one call's set-up latencies.
type setupTimes struct {
	create, join, answer, connected, firstRTP, firstVoiced time.Duration
}

// call is one simulated caller.
type call struct {
	idx    int
	sh     *shared
	peerID string
	info   *callInfo
	sig    *sigClient
	pc     *webrtc.PeerConnection
	track  *webrtc.TrackLocalStaticRTP
	cancel context.CancelFunc // stops the sender and candidate loops
	wg     sync.WaitGroup

	offerAt    time.Time
	times      setupTimes
	sigRetries int // Socket.IO connect or join attempts that failed

	mu        sync.Mutex
	frames    *Histogram // agent packet inter-arrival, steady window
	seq       SeqTracker // agent packets, steady window
	last      time.Time  // previous agent packet
	packets   uint64     // agent packets, whole call
	voiced    uint64     // agent packets with speech, whole call
	ticks     *Histogram // our send-tick interval, steady window
	sent      uint64
	sendErrs  uint64
	firstSeq  uint16
	report    *rtcp.ReceptionReport // the runtime's latest report on our stream
	connErr   error                 // POST /connect failure, not fatal
	endFailed error
}

func newCall(idx int, sh *shared) *call {
	return &call{idx: idx, sh: sh, peerID: fmt.Sprintf("callload-%d", idx), frames: frameHistogram(), ticks: frameHistogram()}
}

// setup places the call and returns once its peer connection is connected
// and the caller is talking.
func (c *call) setup(ctx context.Context) error {
	t0 := time.Now()
	info, err := c.sh.rest.create(ctx, c.sh.caller, c.sh.agent)
	if err != nil {
		return fmt.Errorf("create: %w", err)
	}
	c.info, c.times.create = info, time.Since(t0)

	t1 := time.Now()
	if c.sig, c.sigRetries, err = connectAndJoin(ctx, c.sh.base, info.SessionID, c.peerID, c.sh.events); err != nil {
		return fmt.Errorf("join-session: %w", err)
	}
	c.times.join = time.Since(t1)

	if c.pc, err = c.sh.api.NewPeerConnection(webrtc.Configuration{}); err != nil {
		return err
	}
	connected, failed := make(chan struct{}), make(chan struct{})
	var connOnce, failOnce sync.Once
	c.pc.OnConnectionStateChange(func(s webrtc.PeerConnectionState) {
		switch s {
		case webrtc.PeerConnectionStateConnected:
			connOnce.Do(func() { close(connected) })
		case webrtc.PeerConnectionStateFailed, webrtc.PeerConnectionStateClosed:
			failOnce.Do(func() { close(failed) })
		}
	})
	c.pc.OnTrack(func(tr *webrtc.TrackRemote, _ *webrtc.RTPReceiver) {
		if tr.Kind() == webrtc.RTPCodecTypeAudio {
			c.wg.Go(func() { c.receive(tr) })
		}
	})
	if c.track, err = webrtc.NewTrackLocalStaticRTP(opusCodec, "audio", c.peerID); err != nil {
		return err
	}
	sender, err := c.pc.AddTrack(c.track)
	if err != nil {
		return err
	}
	c.wg.Go(func() { c.readRTCP(sender) })

	// Trickle: candidates found before the offer is out wait for it.
	var (
		candMu    sync.Mutex
		pending   []webrtc.ICECandidateInit
		offerSent bool
	)
	c.pc.OnICECandidate(func(cand *webrtc.ICECandidate) {
		if cand == nil {
			return
		}
		init := cand.ToJSON()
		candMu.Lock()
		if !offerSent {
			pending = append(pending, init)
			candMu.Unlock()
			return
		}
		candMu.Unlock()
		_ = c.sig.emitCandidate(info.SessionID, init)
	})
	offer, err := c.pc.CreateOffer(nil)
	if err != nil {
		return err
	}
	if err := c.pc.SetLocalDescription(offer); err != nil {
		return err
	}
	c.offerAt = time.Now()
	if err := c.sig.emitOffer(info.SessionID, offer.SDP); err != nil {
		return err
	}
	candMu.Lock()
	offerSent = true
	for _, p := range pending {
		_ = c.sig.emitCandidate(info.SessionID, p)
	}
	candMu.Unlock()

	answer, err := c.sig.awaitAnswer(ctx)
	if err != nil {
		return fmt.Errorf("offer: %w", err)
	}
	c.times.answer = time.Since(c.offerAt)
	if err := c.pc.SetRemoteDescription(answer); err != nil {
		return fmt.Errorf("answer: %w", err)
	}
	bg, cancel := context.WithCancel(context.WithoutCancel(ctx))
	c.cancel = cancel
	c.wg.Go(func() { c.addCandidates(bg) })
	if _, err := c.sh.rest.connect(ctx, info.ID); err != nil {
		c.connErr = err
	}

	select {
	case <-connected:
		c.times.connected = time.Since(c.offerAt)
	case <-failed:
		return errors.New("peer connection failed")
	case <-ctx.Done():
		return fmt.Errorf("ice/dtls: %w", ctx.Err())
	}
	c.wg.Go(func() { c.send(bg) })
	return nil
}

func (c *call) addCandidates(ctx context.Context) {
	for {
		select {
		case cand := <-c.sig.candidates:
			_ = c.pc.AddICECandidate(cand)
		case <-ctx.Done():
			return
		}
	}
}

// send writes one 20 ms Opus packet per tick, looping the speech from an
// offset of its own so that calls do not speak in chorus.
func (c *call) send(ctx context.Context) {
	frames := c.sh.speech.Frames
	i := rand.IntN(len(frames))  //nolint:gosec // not security
	seq := uint16(rand.Uint32()) //nolint:gosec // not security
	ts := rand.Uint32()          //nolint:gosec // not security
	c.mu.Lock()
	c.firstSeq = seq
	c.mu.Unlock()
	tick := time.NewTicker(frameDuration)
	defer tick.Stop()
	last := time.Now()
	pkt := &rtp.Packet{Header: rtp.Header{Version: 2, PayloadType: 111, Marker: true}}
	for {
		select {
		case <-ctx.Done():
			return
		case <-tick.C:
		}
		now := time.Now()
		pkt.SequenceNumber, pkt.Timestamp, pkt.Payload = seq, ts, frames[i%len(frames)]
		err := c.track.WriteRTP(pkt)
		pkt.Marker = false
		seq++
		ts += 960 // 20 ms at Opus's 48 kHz RTP clock
		i++
		c.mu.Lock()
		if c.sh.steady.Load() {
			c.ticks.Add(now.Sub(last))
		}
		if err != nil {
			c.sendErrs++
		} else {
			c.sent++
		}
		c.mu.Unlock()
		last = now
	}
}

// receive reads the agent's audio until the track ends.
func (c *call) receive(tr *webrtc.TrackRemote) {
	buf := make([]byte, 1500)
	var h rtp.Header
	for {
		n, _, err := tr.Read(buf)
		if err != nil {
			return
		}
		now := time.Now()
		hl, err := h.Unmarshal(buf[:n])
		if err != nil {
			continue
		}
		voiced := n-hl > voicedBytes
		c.mu.Lock()
		if c.packets == 0 {
			c.times.firstRTP = now.Sub(c.offerAt)
		}
		c.packets++
		if voiced {
			if c.voiced == 0 {
				c.times.firstVoiced = now.Sub(c.offerAt)
			}
			c.voiced++
		}
		if c.sh.steady.Load() {
			c.seq.Add(h.SequenceNumber)
			if !c.last.IsZero() {
				c.frames.Add(now.Sub(c.last))
			}
		}
		c.last = now
		c.mu.Unlock()
	}
}

// readRTCP keeps the runtime's latest reception report on our stream.
func (c *call) readRTCP(sender *webrtc.RTPSender) {
	var ssrc uint32
	if enc := sender.GetParameters().Encodings; len(enc) > 0 {
		ssrc = uint32(enc[0].SSRC)
	}
	for {
		pkts, _, err := sender.ReadRTCP()
		if err != nil {
			return
		}
		for _, p := range pkts {
			var reports []rtcp.ReceptionReport
			switch r := p.(type) {
			case *rtcp.ReceiverReport:
				reports = r.Reports
			case *rtcp.SenderReport:
				reports = r.Reports
			}
			for i := range reports {
				if reports[i].SSRC == ssrc {
					c.mu.Lock()
					c.report = &reports[i]
					c.mu.Unlock()
				}
			}
		}
	}
}

// uplinkLoss is the runtime's view of our stream from its last report:
// packets it expected and lost (ok false without a report).
func (c *call) uplinkLoss() (expected, lost uint64, ok bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.report == nil {
		return 0, 0, false
	}
	// The extended highest sequence number counts cycles from the first
	// packet the runtime saw, which is our first.
	exp := int64(c.report.LastSequenceNumber) - int64(c.firstSeq) + 1
	if exp <= 0 {
		return 0, 0, false
	}
	return uint64(exp), uint64(c.report.TotalLost), true
}

// hangUp ends the call on the runtime, then closes the peer and the socket.
func (c *call) hangUp(ctx context.Context) {
	if c.cancel != nil {
		c.cancel()
	}
	if c.info != nil {
		if _, err := c.sh.rest.end(ctx, c.info.ID); err != nil {
			c.endFailed = err
		}
	}
	if c.pc != nil {
		_ = c.pc.Close()
	}
	if c.sig != nil {
		c.sig.close()
	}
	c.wg.Wait()
}
