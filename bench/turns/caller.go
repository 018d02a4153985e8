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
	"github.com/pion/rtp"
	"github.com/pion/webrtc/v4"
)

// newAPI is the Pion set-up of every simulated caller (as bench/callload):
// Opus only, RTCP reports, ICE on loopback only.
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

// shared is what every caller of a run uses.
type shared struct {
	base    string
	rest    *restClient
	api     *webrtc.API
	speech  *utterance
	silence [][]byte
	agent   string
	// measuring is on during a measured window: frame intervals are
	// recorded only then.
	measuring atomic.Bool
}

// spoke is when an utterance's first and last packets were sent.
type spoke struct{ Onset, End time.Time }

// sayRequest asks the sender to speak u and report when it did.
type sayRequest struct {
	u    *utterance
	done chan spoke
}

// caller is one simulated caller: a Pion peer that sends silence, speaks
// an utterance when asked, and watches the agent's voice.
type caller struct {
	idx    int
	sh     *shared
	peerID string
	info   *callInfo
	sig    *sigClient
	pc     *webrtc.PeerConnection
	track  *webrtc.TrackLocalStaticRTP
	cancel context.CancelFunc
	wg     sync.WaitGroup

	says  chan sayRequest
	voice chan voiceEvent // the agent's voice starting and stopping

	mu      sync.Mutex
	frames  *Histogram // agent packet inter-arrival while measuring
	last    time.Time
	packets uint64
	sizes   [2]sizeRange // payload sizes of unvoiced [0] and voiced [1] packets
}

// sizeRange is the smallest and largest of a set of sizes.
type sizeRange struct{ Min, Max, N int }

func (r *sizeRange) add(n int) {
	if r.N == 0 || n < r.Min {
		r.Min = n
	}
	r.Max = max(r.Max, n)
	r.N++
}

func newCaller(idx int, sh *shared) *caller {
	return &caller{
		idx: idx, sh: sh, peerID: fmt.Sprintf("turns-%d", idx), frames: frameHistogram(),
		says: make(chan sayRequest), voice: make(chan voiceEvent, 64),
	}
}

// setup places the call and returns once its peer connection is connected
// and the caller is sending (silence).
func (c *caller) setup(ctx context.Context) error {
	info, err := c.sh.rest.create(ctx, "01012345678", c.sh.agent)
	if err != nil {
		return fmt.Errorf("create: %w", err)
	}
	c.info = info
	if c.sig, _, err = connectAndJoin(ctx, c.sh.base, info.SessionID, c.peerID); err != nil {
		return fmt.Errorf("join-session: %w", err)
	}
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
	c.wg.Go(func() { drainRTCP(sender) })

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
	if err := c.pc.SetRemoteDescription(answer); err != nil {
		return fmt.Errorf("answer: %w", err)
	}
	bg, cancel := context.WithCancel(context.WithoutCancel(ctx))
	c.cancel = cancel
	c.wg.Go(func() { c.addCandidates(bg) })
	_, _ = c.sh.rest.connect(ctx, info.ID) // the original client does; media may have won

	select {
	case <-connected:
	case <-failed:
		return errors.New("peer connection failed")
	case <-ctx.Done():
		return fmt.Errorf("ice/dtls: %w", ctx.Err())
	}
	c.wg.Go(func() { c.send(bg) })
	return nil
}

func (c *caller) addCandidates(ctx context.Context) {
	for {
		select {
		case cand := <-c.sig.candidates:
			_ = c.pc.AddICECandidate(cand)
		case <-ctx.Done():
			return
		}
	}
}

func drainRTCP(sender *webrtc.RTPSender) {
	for {
		if _, _, err := sender.ReadRTCP(); err != nil {
			return
		}
	}
}

// send writes one 20 ms Opus packet per tick: silence, or the utterance
// asked for by say.
func (c *caller) send(ctx context.Context) {
	seq := uint16(rand.Uint32()) //nolint:gosec // not security
	ts := rand.Uint32()          //nolint:gosec // not security
	tick := time.NewTicker(frameDuration)
	defer tick.Stop()
	pkt := &rtp.Packet{Header: rtp.Header{Version: 2, PayloadType: 111, Marker: true}}
	var (
		cur     *sayRequest
		pos, si int
		sp      spoke
	)
	for {
		select {
		case <-ctx.Done():
			return
		case <-tick.C:
		}
		if cur == nil {
			select {
			case r := <-c.says:
				cur, pos = &r, 0
			default:
			}
		}
		payload := c.sh.silence[si%len(c.sh.silence)]
		if cur != nil {
			payload = cur.u.Frames[pos]
		} else {
			si++
		}
		pkt.SequenceNumber, pkt.Timestamp, pkt.Payload = seq, ts, payload
		_ = c.track.WriteRTP(pkt)
		now := time.Now()
		pkt.Marker = false
		seq++
		ts += 960 // 20 ms at Opus's 48 kHz RTP clock
		if cur == nil {
			continue
		}
		if pos == 0 {
			sp.Onset = now
		}
		pos++
		if pos == len(cur.u.Frames) {
			sp.End = now
			cur.done <- sp // buffered
			cur = nil
		}
	}
}

// say speaks u from the next tick on and returns when its last packet has
// been sent.
func (c *caller) say(ctx context.Context, u *utterance) (spoke, error) {
	r := sayRequest{u: u, done: make(chan spoke, 1)}
	select {
	case c.says <- r:
	case <-ctx.Done():
		return spoke{}, ctx.Err()
	}
	select {
	case sp := <-r.done:
		return sp, nil
	case <-ctx.Done():
		return spoke{}, ctx.Err()
	}
}

// receive reads the agent's audio until the track ends: frame intervals
// while measuring, and the agent's voice starting and stopping.
func (c *caller) receive(tr *webrtc.TrackRemote) {
	buf := make([]byte, 1500)
	var h rtp.Header
	det := newVoiceDetector(2, 5)
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
		size := n - hl
		voiced := size > voicedBytes
		c.mu.Lock()
		c.packets++
		if voiced {
			c.sizes[1].add(size)
		} else {
			c.sizes[0].add(size)
		}
		if c.sh.measuring.Load() && !c.last.IsZero() {
			c.frames.Add(now.Sub(c.last))
		}
		c.last = now
		c.mu.Unlock()
		if ev, ok := det.Push(now, voiced); ok {
			select {
			case c.voice <- ev:
			default: // nobody is listening
			}
		}
	}
}

// errNoVoice is the agent's voice not starting or stopping in time.
var errNoVoice = errors.New("no agent voice event in time")

// awaitVoice returns the first voice event of kind dated after after.
func (c *caller) awaitVoice(ctx context.Context, kind voiceKind, after time.Time, timeout time.Duration) (voiceEvent, error) {
	t := time.NewTimer(timeout)
	defer t.Stop()
	for {
		select {
		case ev := <-c.voice:
			if ev.Kind == kind && ev.At.After(after) {
				return ev, nil
			}
		case <-t.C:
			return voiceEvent{}, fmt.Errorf("%w: %s after %s", errNoVoice, kind, timeout)
		case <-ctx.Done():
			return voiceEvent{}, ctx.Err()
		}
	}
}

// speakingAfter returns the first agent-speaking event in state received
// after after, if one has arrived by now (a cross-check only).
func (c *caller) speakingAfter(state string, after time.Time, within time.Duration) (time.Time, bool) {
	deadline := time.After(within)
	for {
		select {
		case ev := <-c.sig.speaking:
			if ev.State == state && ev.At.After(after) {
				return ev.At, true
			}
		case <-deadline:
			return time.Time{}, false
		}
	}
}

// hangUp ends the call on the runtime, then closes the peer and the socket.
func (c *caller) hangUp(ctx context.Context) {
	if c.cancel != nil {
		c.cancel()
	}
	if c.info != nil {
		_, _ = c.sh.rest.end(ctx, c.info.ID)
	}
	if c.pc != nil {
		_ = c.pc.Close()
	}
	if c.sig != nil {
		c.sig.close()
	}
	c.wg.Wait()
}
