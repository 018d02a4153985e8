package main

import (
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"sync"
	"sync/atomic"
	"time"

	"github.com/pion/rtp"
	"github.com/pion/webrtc/v4"

	"github.com/parleyhq/parley/bench/internal/peer"
	"github.com/parleyhq/parley/bench/internal/rest"
	"github.com/parleyhq/parley/bench/internal/speech"
	"github.com/parleyhq/parley/bench/internal/stats"
	loopcaller "github.com/parleyhq/parley/internal/caller"
)

// shared is what every caller of a run uses.
type shared struct {
	base    string
	rest    *rest.Client
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

// caller is one simulated caller: a Pion peer that sends silence, speaks
// an utterance when asked, and watches the agent's voice.
type caller struct {
	idx int
	sh  *shared
	p   *peer.Call

	says  *loopcaller.Voice[[]byte] // what the caller is asked to say
	voice chan voiceEvent           // the agent's voice starting and stopping

	mu     sync.Mutex
	frames *stats.Histogram // agent packet inter-arrival while measuring
	last   time.Time
	sizes  [2]sizeRange // payload sizes of unvoiced [0] and voiced [1] packets
	// voiced is when the last voiced agent packet arrived; heard are the
	// latest voice events (at most maxHeard), oldest first.
	voiced time.Time
	heard  []voiceEvent

	// speaking are the agent-speaking events drained so far (drainSpeaking;
	// the caller's worker only).
	speaking []loopcaller.SpeakingEvent
}

// maxHeard bounds the voice events a caller keeps.
const maxHeard = 512

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
	c := &caller{
		idx: idx, sh: sh, frames: stats.FrameHistogram(),
		says: loopcaller.NewVoice[[]byte](1), voice: make(chan voiceEvent, 64),
	}
	c.p = peer.New(peer.Config{
		Base: sh.base, REST: sh.rest, API: sh.api,
		CallerNumber: "01012345678", Agent: sh.agent, PeerID: fmt.Sprintf("turns-%d", idx),
		Receive: c.receive, Send: c.send, // RTCP drained
	})
	return c
}

// setup places the call and returns once its peer connection is connected
// and the caller is sending (silence).
func (c *caller) setup(ctx context.Context) error { return c.p.Setup(ctx) }

// send writes one 20 ms Opus packet per tick: silence, or the utterance
// asked for by say.
func (c *caller) send(ctx context.Context, track *webrtc.TrackLocalStaticRTP) {
	seq := uint16(rand.Uint32()) //nolint:gosec // not security
	ts := rand.Uint32()          //nolint:gosec // not security
	tick := time.NewTicker(speech.FrameDuration)
	defer tick.Stop()
	pkt := &rtp.Packet{Header: rtp.Header{Version: 2, PayloadType: 111, Marker: true}}
	var si int
	for {
		select {
		case <-ctx.Done():
			return
		case <-tick.C:
		}
		payload, speaking := c.says.Next()
		if !speaking {
			payload = c.sh.silence[si%len(c.sh.silence)]
			si++
		}
		pkt.SequenceNumber, pkt.Timestamp, pkt.Payload = seq, ts, payload
		_ = track.WriteRTP(pkt)
		now := time.Now()
		pkt.Marker = false
		seq++
		ts += 960 // 20 ms at Opus's 48 kHz RTP clock
		if speaking {
			c.says.Sent(now)
		}
	}
}

// say speaks u from the next tick on and returns when its last packet has
// been sent.
func (c *caller) say(ctx context.Context, u *utterance) (spoke, error) {
	said, err := c.says.Say(ctx, u.Frames)
	if err != nil {
		return spoke{}, err
	}
	select {
	case <-said.Done():
		return spoke{Onset: said.Onset, End: said.End}, nil
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
		if voiced {
			c.sizes[1].add(size)
			c.voiced = now
		} else {
			c.sizes[0].add(size)
		}
		if c.sh.measuring.Load() && !c.last.IsZero() {
			c.frames.Add(now.Sub(c.last))
		}
		c.last = now
		c.mu.Unlock()
		if ev, ok := det.Push(now, voiced); ok {
			c.mu.Lock()
			if len(c.heard) == maxHeard {
				c.heard = append(c.heard[:0], c.heard[maxHeard/2:]...)
			}
			c.heard = append(c.heard, ev)
			c.mu.Unlock()
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
		case ev := <-c.p.Peer.Sig.Speaking():
			if ev.State == state && ev.At.After(after) {
				return ev.At, true
			}
		case <-deadline:
			return time.Time{}, false
		}
	}
}
