package peer

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"time"

	"github.com/pion/webrtc/v4"

	"github.com/parleyhq/parley/bench/internal/rest"
	"github.com/parleyhq/parley/bench/internal/sigclient"
)

// Config is what a Call needs: the runtime, whom to call, and the caller's
// own media loops.
type Config struct {
	Base   string // the runtime's base URL, for Socket.IO
	REST   *rest.Client
	API    *webrtc.API
	Events *sigclient.EventCounts // counts the signaling events; nil: not counted
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
	Create    time.Duration // POST /api/v1/calls
	Join      time.Duration // Socket.IO connect and join-session
	Answer    time.Duration // offer sent -> answer received
	Connected time.Duration // offer sent -> peer connection connected
}

// Call is one simulated caller's call. Its exported fields are set by
// Setup as it goes, and are not to be changed.
type Call struct {
	cfg Config

	Info       *rest.Call
	Sig        *sigclient.Client
	PC         *webrtc.PeerConnection
	OfferAt    time.Time // when the offer was sent
	Times      Times
	SigRetries int   // Engine.IO connections the Go client opened again (sioclient)
	ConnectErr error // POST /connect failure, not fatal (media may have won)

	track  *webrtc.TrackLocalStaticRTP
	cancel context.CancelFunc // stops the sender and candidate loops
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

	t1 := time.Now()
	if c.Sig, c.SigRetries, err = sigclient.ConnectAndJoin(ctx, c.cfg.Base, info.SessionID, c.cfg.PeerID, c.cfg.Events); err != nil {
		return fmt.Errorf("join-session: %w", err)
	}
	c.Times.Join = time.Since(t1)

	if c.PC, err = c.cfg.API.NewPeerConnection(webrtc.Configuration{}); err != nil {
		return err
	}
	connected, failed := make(chan struct{}), make(chan struct{})
	var connOnce, failOnce sync.Once
	c.PC.OnConnectionStateChange(func(s webrtc.PeerConnectionState) {
		switch s {
		case webrtc.PeerConnectionStateConnected:
			connOnce.Do(func() { close(connected) })
		case webrtc.PeerConnectionStateFailed, webrtc.PeerConnectionStateClosed:
			failOnce.Do(func() { close(failed) })
		}
	})
	c.PC.OnTrack(func(tr *webrtc.TrackRemote, _ *webrtc.RTPReceiver) {
		if tr.Kind() == webrtc.RTPCodecTypeAudio {
			c.wg.Go(func() { c.cfg.Receive(tr) })
		}
	})
	if c.track, err = webrtc.NewTrackLocalStaticRTP(Opus, "audio", c.cfg.PeerID); err != nil {
		return err
	}
	sender, err := c.PC.AddTrack(c.track)
	if err != nil {
		return err
	}
	readRTCP := c.cfg.RTCP
	if readRTCP == nil {
		readRTCP = drainRTCP
	}
	c.wg.Go(func() { readRTCP(sender) })

	if err := c.offer(info.SessionID); err != nil {
		return err
	}
	answer, err := c.Sig.AwaitAnswer(ctx)
	if err != nil {
		return fmt.Errorf("offer: %w", err)
	}
	c.Times.Answer = time.Since(c.OfferAt)
	if err := c.PC.SetRemoteDescription(answer); err != nil {
		return fmt.Errorf("answer: %w", err)
	}
	bg, cancel := context.WithCancel(context.WithoutCancel(ctx))
	c.cancel = cancel
	c.wg.Go(func() { c.addCandidates(bg) })
	if _, err := c.cfg.REST.Connect(ctx, info.ID); err != nil {
		c.ConnectErr = err
	}

	select {
	case <-connected:
		c.Times.Connected = time.Since(c.OfferAt)
	case <-failed:
		return errors.New("peer connection failed")
	case <-ctx.Done():
		return fmt.Errorf("ice/dtls: %w", ctx.Err())
	}
	c.wg.Go(func() { c.cfg.Send(bg, c.track) })
	return nil
}

// offer sends the offer, and trickles the local candidates: those found
// before the offer is out wait for it.
func (c *Call) offer(sessionID string) error {
	var (
		candMu    sync.Mutex
		pending   []webrtc.ICECandidateInit
		offerSent bool
	)
	c.PC.OnICECandidate(func(cand *webrtc.ICECandidate) {
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
		_ = c.Sig.EmitCandidate(sessionID, init)
	})
	offer, err := c.PC.CreateOffer(nil)
	if err != nil {
		return err
	}
	if err := c.PC.SetLocalDescription(offer); err != nil {
		return err
	}
	c.OfferAt = time.Now()
	if err := c.Sig.EmitOffer(sessionID, offer.SDP); err != nil {
		return err
	}
	candMu.Lock()
	offerSent = true
	for _, p := range pending {
		_ = c.Sig.EmitCandidate(sessionID, p)
	}
	candMu.Unlock()
	return nil
}

func (c *Call) addCandidates(ctx context.Context) {
	for {
		select {
		case cand := <-c.Sig.Candidates():
			_ = c.PC.AddICECandidate(cand)
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
	if c.PC != nil {
		_ = c.PC.Close()
	}
	if c.Sig != nil {
		c.Sig.Close()
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
