// Package peer places a simulated caller's call: over REST, then with the
// shared loopback caller (internal/caller: join, offer, trickled ICE), and
// runs the caller's send and receive loops until it hangs up.
package peer

import (
	"context"
	"fmt"
	"sync"
	"time"

	"github.com/pion/webrtc/v4"

	"github.com/parleyhq/parley/bench/internal/rest"
	"github.com/parleyhq/parley/internal/caller"
)

// Config is what a Call needs: the runtime, whom to call, and the caller's
// own media loops.
type Config struct {
	Base   string // the runtime's base URL, for Socket.IO
	REST   *rest.Client
	API    *webrtc.API         // caller.NewAPI
	Events *caller.EventCounts // counts the signaling events; nil: not counted
	// CallerNumber and Agent are the call's callerNumber and agent (empty:
	// the runtime's default agent); PeerID is the caller's signaling id.
	CallerNumber, Agent, PeerID string
	// Receive reads the agent's audio track until it ends, on a goroutine
	// of its own.
	Receive func(*webrtc.TrackRemote)
	// RTCP reads the RTCP of the caller's sender until it fails, on a
	// goroutine of its own; nil drains it.
	RTCP func(*webrtc.RTPSender)
	// Send writes the caller's audio to track until ctx ends; it starts
	// once the peer connection is connected.
	Send func(ctx context.Context, track *webrtc.TrackLocalStaticRTP)
}

// Times are a call's set-up latencies.
type Times struct {
	Create       time.Duration // POST /api/v1/calls
	caller.Times               // join, offer -> answer, offer -> connected
}

// Call is one simulated caller's call. Its exported fields are set by
// Setup as it goes, and are not to be changed.
type Call struct {
	cfg Config

	Info       *rest.Call
	Peer       *caller.Peer // joined and offered (nil before, or if that failed)
	OfferAt    time.Time    // when the offer was sent
	Times      Times
	SigRetries int   // Engine.IO connections the Go client opened again (sioclient)
	ConnectErr error // POST /connect failure, not fatal (media may have won)

	track  *webrtc.TrackLocalStaticRTP
	cancel context.CancelFunc // stops the sender
	wg     sync.WaitGroup
}

// New is a call of cfg, not placed yet.
func New(cfg Config) *Call { return &Call{cfg: cfg} }

// Setup places the call and returns once its peer connection is connected
// and cfg.Send is running. Cancelling ctx abandons the set-up, not the
// loops already started; whether Setup fails or not, HangUp cleans up.
func (c *Call) Setup(ctx context.Context) error {
	t0 := time.Now()
	info, err := c.cfg.REST.Create(ctx, c.cfg.CallerNumber, c.cfg.Agent)
	if err != nil {
		return fmt.Errorf("create: %w", err)
	}
	c.Info, c.Times.Create = info, time.Since(t0)

	if c.track, err = webrtc.NewTrackLocalStaticRTP(caller.Opus, "audio", c.cfg.PeerID); err != nil {
		return err
	}
	p, err := caller.Dial(ctx, c.cfg.Base, info.SessionID, caller.Options{
		Peer: c.cfg.PeerID, API: c.cfg.API, Track: c.track,
		Join: caller.JoinOptions{Counts: c.cfg.Events},
		OnTrack: func(tr *webrtc.TrackRemote) {
			if tr.Kind() == webrtc.RTPCodecTypeAudio {
				c.wg.Go(func() { c.cfg.Receive(tr) })
			}
		},
	})
	if err != nil {
		return err
	}
	c.Peer, c.OfferAt, c.SigRetries, c.Times.Times = p, p.OfferAt, p.SigRetries, p.Times
	readRTCP := c.cfg.RTCP
	if readRTCP == nil {
		readRTCP = drainRTCP
	}
	c.wg.Go(func() { readRTCP(p.Sender) })
	if _, err := c.cfg.REST.Connect(ctx, info.ID); err != nil {
		c.ConnectErr = err
	}
	if err := p.WaitConnected(ctx); err != nil {
		return err
	}
	c.Times.Connected = p.Times.Connected
	bg, cancel := context.WithCancel(context.WithoutCancel(ctx))
	c.cancel = cancel
	c.wg.Go(func() { c.cfg.Send(bg, c.track) })
	return nil
}

func drainRTCP(sender *webrtc.RTPSender) {
	for {
		if _, _, err := sender.ReadRTCP(); err != nil {
			return
		}
	}
}

// HangUp ends the call on the runtime, then closes the peer and the
// socket, and waits for the call's goroutines. The error is the runtime's
// refusal to end the call, if any. Call it once, after Setup.
func (c *Call) HangUp(ctx context.Context) error {
	if c.cancel != nil {
		c.cancel()
	}
	var err error
	if c.Info != nil {
		_, err = c.cfg.REST.End(ctx, c.Info.ID)
	}
	if c.Peer != nil {
		c.Peer.Close()
	}
	c.wg.Wait()
	return err
}

// HangUpAll hangs up every call (nil ones skipped), twenty at a time, with
// a minute for all; errs[i] is what calls[i].HangUp returned.
func HangUpAll(calls []*Call) (errs []error) {
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	errs = make([]error, len(calls))
	sem := make(chan struct{}, 20)
	var wg sync.WaitGroup
	for i, c := range calls {
		if c == nil {
			continue
		}
		sem <- struct{}{}
		wg.Go(func() {
			defer func() { <-sem }()
			errs[i] = c.HangUp(ctx)
		})
	}
	wg.Wait()
	return errs
}
