package caller

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"time"

	"github.com/pion/webrtc/v4"
	sio "github.com/zishang520/socket.io/clients/socket/v3"

	"github.com/parleyhq/parley/internal/loopback"
)

// Options tune Dial.
type Options struct {
	// Peer is the caller's signaling peer id (default "client-peer").
	Peer string
	// API makes the peer connection (nil: loopback.NewAPI with Pion's
	// default codecs).
	API *webrtc.API
	// Track, if not nil, is the caller's microphone, added before the
	// offer; Peer.Sender is its sender.
	Track webrtc.TrackLocal
	// OnTrack, if not nil, reads each of the agent's tracks, on Pion's
	// goroutine (nil: read and drop).
	OnTrack func(*webrtc.TrackRemote)
	// Join tunes the signaling connection (its Setup registers the
	// caller's own handlers).
	Join JoinOptions
	// AnswerTimeout, if not zero, bounds the wait for the answer within
	// ctx.
	AnswerTimeout time.Duration
	// IgnoreAnswer sends the offer and waits for the answer, but trickles
	// nothing and applies nothing, as a client whose network blocks the
	// media would: the call stays CONNECTING.
	IgnoreAnswer bool
}

// Times are the set-up latencies Dial and WaitConnected measure.
type Times struct {
	Join      time.Duration // Socket.IO connect and join-session
	Answer    time.Duration // offer sent -> answer received
	Connected time.Duration // offer sent -> peer connection connected
}

// Peer is a caller in a call's session: joined on /signaling, its Pion
// peer offered to the agent. Its exported fields are set by Dial and
// WaitConnected, and are not to be changed.
type Peer struct {
	Session, ID string
	Sig         *Signal
	PC          *webrtc.PeerConnection
	Sender      *webrtc.RTPSender // Options.Track's sender, if any
	// Answer is the `answer` event's payload.
	Answer     map[string]any
	OfferAt    time.Time // when the offer was sent
	Times      Times
	SigRetries int // Engine.IO connections the Go client opened again (sioclient)

	connected, failed chan struct{}
	cancel            context.CancelFunc // stops the candidate loop
	wg                sync.WaitGroup
}

// Dial joins session on base's /signaling as o.Peer with the Go Socket.IO
// client (Join), offers the caller's peer to the agent (Offer), and
// returns once the answer is applied and remote candidates are being added
// (WaitConnected waits for ICE and DTLS). On an error nothing is left
// open; otherwise the caller closes the Peer.
func Dial(ctx context.Context, base, session string, o Options) (*Peer, error) {
	if o.Peer == "" {
		o.Peer = "client-peer"
	}
	t0 := time.Now()
	sig, reopened, err := Join(ctx, base, session, o.Peer, o.Join)
	if err != nil {
		return nil, fmt.Errorf("join-session: %w", err)
	}
	join := time.Since(t0)
	p, err := Offer(ctx, sig, session, o)
	if err != nil {
		return nil, err
	}
	p.Times.Join, p.SigRetries = join, reopened
	return p, nil
}

// Offer offers the caller's peer to the agent of session through sig, a
// connection that has joined it as o.Peer (o.Join is not used), and
// returns once the answer is applied and remote candidates are being
// added. The Peer owns sig from then on: on an error it is closed with
// everything else; otherwise the caller closes the Peer.
func Offer(ctx context.Context, sig *Signal, session string, o Options) (*Peer, error) {
	p := &Peer{Session: session, ID: o.Peer, Sig: sig, connected: make(chan struct{}), failed: make(chan struct{})}
	if p.ID == "" {
		p.ID = "client-peer"
	}
	if err := p.dial(ctx, o); err != nil {
		p.Close()
		return nil, err
	}
	return p, nil
}

func (p *Peer) dial(ctx context.Context, o Options) error {
	var err error
	api := o.API
	if api == nil {
		if api, err = loopback.NewAPI(nil, nil); err != nil {
			return err
		}
	}
	if p.PC, err = api.NewPeerConnection(webrtc.Configuration{}); err != nil {
		return fmt.Errorf("peer connection: %w", err)
	}
	var connOnce, failOnce sync.Once
	p.PC.OnConnectionStateChange(func(s webrtc.PeerConnectionState) {
		switch s {
		case webrtc.PeerConnectionStateConnected:
			connOnce.Do(func() { close(p.connected) })
		case webrtc.PeerConnectionStateFailed, webrtc.PeerConnectionStateClosed:
			failOnce.Do(func() { close(p.failed) })
		}
	})
	onTrack := o.OnTrack
	if onTrack == nil {
		onTrack = drainTrack
	}
	p.PC.OnTrack(func(tr *webrtc.TrackRemote, _ *webrtc.RTPReceiver) { onTrack(tr) })
	if o.Track != nil {
		if p.Sender, err = p.PC.AddTrack(o.Track); err != nil {
			return fmt.Errorf("add the microphone: %w", err)
		}
	}
	if err := p.offer(!o.IgnoreAnswer); err != nil {
		return fmt.Errorf("offer: %w", err)
	}
	actx := ctx
	if o.AnswerTimeout > 0 {
		var cancel context.CancelFunc
		actx, cancel = context.WithTimeout(ctx, o.AnswerTimeout)
		defer cancel()
	}
	answer, data, err := p.Sig.AwaitAnswer(actx)
	if err != nil {
		return fmt.Errorf("offer: %w", err)
	}
	p.Answer, p.Times.Answer = data, time.Since(p.OfferAt)
	if o.IgnoreAnswer {
		return nil
	}
	if err := p.PC.SetRemoteDescription(answer); err != nil {
		return fmt.Errorf("answer: %w", err)
	}
	bg, cancel := context.WithCancel(context.WithoutCancel(ctx))
	p.cancel = cancel
	p.wg.Go(func() { p.addCandidates(bg) })
	return nil
}

// offer sends the offer and, if trickle, the local candidates: those found
// before the offer is out wait for it.
func (p *Peer) offer(trickle bool) error {
	var (
		candMu    sync.Mutex
		pending   []webrtc.ICECandidateInit
		offerSent bool
	)
	p.PC.OnICECandidate(func(cand *webrtc.ICECandidate) {
		if cand == nil || !trickle {
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
		_ = p.Sig.EmitCandidate(p.Session, init)
	})
	offer, err := p.PC.CreateOffer(nil)
	if err != nil {
		return err
	}
	if err := p.PC.SetLocalDescription(offer); err != nil {
		return err
	}
	p.OfferAt = time.Now()
	if err := p.Sig.EmitOffer(p.Session, offer.SDP); err != nil {
		return err
	}
	candMu.Lock()
	offerSent = true
	for _, c := range pending {
		_ = p.Sig.EmitCandidate(p.Session, c)
	}
	candMu.Unlock()
	return nil
}

// addCandidates adds the agent's candidates until ctx ends.
func (p *Peer) addCandidates(ctx context.Context) {
	for {
		select {
		case cand := <-p.Sig.Candidates():
			_ = p.PC.AddICECandidate(cand)
		case <-ctx.Done():
			return
		}
	}
}

// ErrPeerFailed is the peer connection failing or closing before it
// connected.
var ErrPeerFailed = errors.New("peer connection failed")

// WaitConnected waits, until ctx ends, for the peer connection to connect
// (ICE and DTLS), and records Times.Connected.
func (p *Peer) WaitConnected(ctx context.Context) error {
	select {
	case <-p.connected:
		if p.Times.Connected == 0 {
			p.Times.Connected = time.Since(p.OfferAt)
		}
		return nil
	case <-p.failed:
		return ErrPeerFailed
	case <-ctx.Done():
		return fmt.Errorf("ice/dtls: %w", ctx.Err())
	}
}

// Close stops the candidate loop, closes the peer and the socket, and
// waits for the candidate loop. It may be called more than once.
func (p *Peer) Close() {
	if p.cancel != nil {
		p.cancel()
	}
	if p.PC != nil {
		_ = p.PC.Close()
	}
	if p.Sig != nil {
		p.Sig.Close()
	}
	p.wg.Wait()
}

// Socket is the signaling connection, for the caller's own emits.
func (p *Peer) Socket() *sio.Socket { return p.Sig.Socket() }

func drainTrack(tr *webrtc.TrackRemote) {
	for {
		if _, _, err := tr.ReadRTP(); err != nil {
			return
		}
	}
}
