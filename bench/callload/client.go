package main

import (
	"context"
	"fmt"
	"math/rand/v2"
	"sync"
	"sync/atomic"
	"time"

	"github.com/pion/rtcp"
	"github.com/pion/rtp"
	"github.com/pion/webrtc/v4"

	"github.com/parleyhq/parley/bench/internal/peer"
	"github.com/parleyhq/parley/bench/internal/rest"
	"github.com/parleyhq/parley/bench/internal/speech"
	"github.com/parleyhq/parley/bench/internal/stats"
	"github.com/parleyhq/parley/internal/caller"
)

// voicedBytes is the Opus payload size above which an agent packet counts
// as speech: libopus codes digital silence in a few bytes.
const voicedBytes = 20

// shared is what every call of a run uses.
type shared struct {
	base   string
	rest   *rest.Client
	api    *webrtc.API
	loop   *loop
	events *caller.EventCounts
	caller string
	agent  string
	// firstAgent, when set, is the agent of call 0 (-chaos-agent).
	firstAgent string
	// steady is on during the measured window; frames are counted only then.
	steady atomic.Bool
}

// call is one simulated caller: it loops its speech and measures the
// agent's packets.
type call struct {
	sh *shared
	p  *peer.Call

	mu          sync.Mutex
	frames      *stats.Histogram // agent packet inter-arrival, steady window
	seq         stats.SeqTracker // agent packets, steady window
	last        time.Time        // previous agent packet
	packets     uint64           // agent packets, whole call
	voiced      uint64           // agent packets with speech, whole call
	firstRTP    time.Duration    // offer -> first agent packet
	firstVoiced time.Duration    // offer -> first agent packet with speech
	ticks       *stats.Histogram // our send-tick interval, steady window
	sent        uint64
	sendErrs    uint64
	firstSeq    uint16
	report      *rtcp.ReceptionReport // the runtime's latest report on our stream
}

func newCall(idx int, sh *shared) *call {
	c := &call{sh: sh, frames: stats.FrameHistogram(), ticks: stats.FrameHistogram()}
	agent := sh.agent
	if idx == 0 && sh.firstAgent != "" {
		agent = sh.firstAgent
	}
	c.p = peer.New(peer.Config{
		Base: sh.base, REST: sh.rest, API: sh.api, Events: sh.events,
		CallerNumber: sh.caller, Agent: agent, PeerID: fmt.Sprintf("callload-%d", idx),
		Receive: c.receive, RTCP: c.readRTCP, Send: c.send,
	})
	return c
}

// setup places the call and returns once its peer connection is connected
// and the caller is talking.
func (c *call) setup(ctx context.Context) error { return c.p.Setup(ctx) }

// send writes one 20 ms Opus packet per tick, looping the speech from an
// offset of its own so that calls do not speak in chorus.
func (c *call) send(ctx context.Context, track *webrtc.TrackLocalStaticRTP) {
	frames := c.sh.loop.Frames
	i := rand.IntN(len(frames))  //nolint:gosec // not security
	seq := uint16(rand.Uint32()) //nolint:gosec // not security
	ts := rand.Uint32()          //nolint:gosec // not security
	c.mu.Lock()
	c.firstSeq = seq
	c.mu.Unlock()
	tick := time.NewTicker(speech.FrameDuration)
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
		err := track.WriteRTP(pkt)
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
			c.firstRTP = now.Sub(c.p.OfferAt)
		}
		c.packets++
		if voiced {
			if c.voiced == 0 {
				c.firstVoiced = now.Sub(c.p.OfferAt)
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

// hangUp ends the call on the runtime, then closes the peer and the
// socket. A failure is the runtime's to log; the report does not need it.
func (c *call) hangUp(ctx context.Context) { _ = c.p.HangUp(ctx) }
