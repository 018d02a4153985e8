package media

import (
	"fmt"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/pion/interceptor"
	"github.com/pion/rtp"
	"github.com/pion/webrtc/v4"

	"github.com/parleyhq/parley/runtime/fault"
)

// component labels the panics media contains (metrics.ComponentMedia).
const component = "media"

// streamID is the MediaStream id of the agent's track, so a browser's
// ontrack event has event.streams[0].
const streamID = "parley"

// PeerHandlers are a Peer's callbacks; every field may be nil.
type PeerHandlers struct {
	// OnCandidate receives local ICE candidates to trickle to the caller:
	// never before Trickle, in the order they were gathered, never the nil
	// end-of-candidates. Calls are serialised; it must not call Trickle.
	OnCandidate func(webrtc.ICECandidateInit)
	// OnState receives connection state changes, each on its own goroutine
	// (as Pion delivers them) but one at a time and never a stale state: a
	// state superseded before its callback runs is skipped. Nothing follows
	// StateClosed. It may call Close. StateClosed may arrive after Close
	// returns.
	OnState func(State)
	// OnMedia is called once, on its own goroutine, when the first RTP
	// packet from the caller arrives. It may call Close.
	OnMedia func()
	// Sink receives the caller's audio; nil decodes and discards it.
	Sink Sink
	// OnFault is told of a panic contained in one of the peer's goroutines
	// (reading and decoding the caller's audio, pacing the agent's, the
	// callbacks above): that goroutine stops, the process goes on. The
	// owner should close the peer. May be nil.
	OnFault fault.Handler
}

// Stats are a Peer's media counters.
type Stats struct {
	PacketsIn   int64         // RTP packets received from the caller
	PacketsLost int64         // caller packets missing from the sequence numbers
	FramesIn    int64         // 20 ms frames delivered to the Sink (concealed ones included)
	FramesOut   int64         // 20 ms frames sent to the caller, silence included
	SpeechOut   time.Duration // agent speech sent (Player.Played)
	Codec       string        // CodecOpus or CodecPCMU once answered, else ""
}

// Peer is the agent's side of one call: a Pion PeerConnection that
// receives the caller's audio and sends the agent's voice. Its methods are
// safe for concurrent use.
type Peer struct {
	pc    *webrtc.PeerConnection
	eng   *Engine
	h     PeerHandlers
	stats counters
	ready atomic.Bool // connected once: the writer may send

	mu       sync.Mutex
	closed   bool
	answered bool
	queued   []webrtc.ICECandidateInit // remote candidates before the offer
	player   *Player
	codec    string
	reading  bool // an inbound audio track is being read
	wg       sync.WaitGroup

	candMu    sync.Mutex
	trickling bool
	pending   []webrtc.ICECandidateInit // local candidates before Trickle

	stateMu   sync.Mutex
	lastState webrtc.PeerConnectionState

	mediaOnce sync.Once
	closeOnce sync.Once
	closeErr  error
}

// NewPeer returns a Peer that is ready for Answer. It opens no sockets
// until Answer; call Close in every case.
func (e *Engine) NewPeer(h PeerHandlers) (*Peer, error) {
	pc, err := e.api.NewPeerConnection(webrtc.Configuration{ICEServers: e.cfg.ICEServers})
	if err != nil {
		return nil, fmt.Errorf("new peer: %w", err)
	}
	p := &Peer{pc: pc, eng: e, h: h}
	pc.OnICECandidate(p.onCandidate)
	pc.OnConnectionStateChange(p.onState)
	pc.OnTrack(p.onTrack)
	return p, nil
}

// Answer applies the caller's offer and returns the answer, without
// candidates (they trickle, see Trickle). The agent's track (one audio
// track in the MediaStream "parley") uses Opus when the offer has it,
// PCMU otherwise; an offer with neither is an error wrapping ErrNoCodec. A
// second Answer is an error wrapping ErrAnswered: renegotiation is not
// supported, callers make a new Peer. Player is usable once Answer
// succeeds; after a failed Answer the Peer is of no further use (Close
// it).
func (p *Peer) Answer(offer webrtc.SessionDescription) (webrtc.SessionDescription, error) {
	p.mu.Lock()
	switch {
	case p.closed:
		p.mu.Unlock()
		return webrtc.SessionDescription{}, fmt.Errorf("answer: peer %w", ErrClosed)
	case p.answered:
		p.mu.Unlock()
		return webrtc.SessionDescription{}, fmt.Errorf("answer: %w", ErrAnswered)
	}
	p.answered = true
	p.mu.Unlock()

	if offer.Type != webrtc.SDPTypeOffer {
		return webrtc.SessionDescription{}, fmt.Errorf("answer: got a %q description, want an offer", offer.Type)
	}
	codec, err := offeredCodec(offer)
	if err != nil {
		return webrtc.SessionDescription{}, err
	}
	capability := webrtc.RTPCodecCapability{MimeType: webrtc.MimeTypeOpus, ClockRate: opusRate, Channels: 2, SDPFmtpLine: opusFmtp}
	if codec == CodecPCMU {
		capability = webrtc.RTPCodecCapability{MimeType: webrtc.MimeTypePCMU, ClockRate: pcmuRate}
	}
	track, err := webrtc.NewTrackLocalStaticSample(capability, "agent", streamID)
	if err != nil {
		return webrtc.SessionDescription{}, fmt.Errorf("answer: track: %w", err)
	}
	// Candidates inside the offer obey the same rules as trickled ones.
	offer.SDP = p.eng.filterSDP(offer.SDP)
	if err := p.pc.SetRemoteDescription(offer); err != nil {
		return webrtc.SessionDescription{}, fmt.Errorf("answer: set offer: %w", err)
	}
	sender, err := p.pc.AddTrack(track)
	if err != nil {
		return webrtc.SessionDescription{}, fmt.Errorf("answer: add track: %w", err)
	}
	p.spawn(func() { drainRTCP(sender) })
	answer, err := p.pc.CreateAnswer(nil)
	if err != nil {
		return webrtc.SessionDescription{}, fmt.Errorf("answer: create: %w", err)
	}
	if err := p.pc.SetLocalDescription(answer); err != nil {
		return webrtc.SessionDescription{}, fmt.Errorf("answer: set answer: %w", err)
	}

	w, err := newTrackWriter(codec, track, p.eng.opusSilence, &p.ready, &p.stats.framesOut)
	if err != nil {
		return webrtc.SessionDescription{}, fmt.Errorf("answer: %w", err)
	}
	w.sent = p.eng.cfg.FrameSent
	player, err := NewPlayer(playerRate(codec), w)
	if err != nil {
		return webrtc.SessionDescription{}, fmt.Errorf("answer: %w", err)
	}
	player.OnFault(p.h.OnFault)

	p.mu.Lock()
	if p.closed {
		p.mu.Unlock()
		player.Close()
		return webrtc.SessionDescription{}, fmt.Errorf("answer: peer %w", ErrClosed)
	}
	p.player, p.codec = player, codec
	queued := p.queued
	p.queued = nil
	p.mu.Unlock()

	for _, c := range queued {
		if err := p.pc.AddICECandidate(c); err != nil {
			return webrtc.SessionDescription{}, fmt.Errorf("answer: queued candidate %q: %w", c.Candidate, err)
		}
	}
	return answer, nil
}

// Trickle releases local candidates: the ones gathered so far are passed
// to OnCandidate before Trickle returns, in order; later ones as they are
// found. Call it right after sending the answer, so no candidate reaches
// the caller before the answer. Calling it again does nothing.
func (p *Peer) Trickle() {
	p.candMu.Lock()
	defer p.candMu.Unlock()
	if p.trickling {
		return
	}
	p.trickling = true
	for _, c := range p.pending {
		p.deliverCandidate(c)
	}
	p.pending = nil
}

// AddCandidate adds a remote ICE candidate. Candidates that arrive before
// the offer is applied are queued and added by Answer. An empty candidate
// (end-of-candidates) is accepted and ignored. A candidate the agent peer
// must never send to (see blockedRemote; also a host name) is dropped with
// an error wrapping ErrCandidateBlocked; such candidates inside the offer
// are dropped by Answer.
func (p *Peer) AddCandidate(c webrtc.ICECandidateInit) error {
	if strings.TrimSpace(c.Candidate) == "" {
		return nil
	}
	if !p.eng.remoteAllowed(c.Candidate) {
		return fmt.Errorf("add candidate %q: %w", c.Candidate, ErrCandidateBlocked)
	}
	p.mu.Lock()
	if p.closed {
		p.mu.Unlock()
		return fmt.Errorf("add candidate: peer %w", ErrClosed)
	}
	if p.player == nil { // no remote description yet
		p.queued = append(p.queued, c)
		p.mu.Unlock()
		return nil
	}
	p.mu.Unlock()
	if err := p.pc.AddICECandidate(c); err != nil {
		return fmt.Errorf("add candidate %q: %w", c.Candidate, err)
	}
	return nil
}

// Player returns the agent's voice out, or nil before Answer succeeded.
// Speech enqueued before the connection is up waits and plays once it is.
func (p *Peer) Player() *Player {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.player
}

// Stats returns the peer's counters so far.
func (p *Peer) Stats() Stats {
	p.mu.Lock()
	player, codec := p.player, p.codec
	p.mu.Unlock()
	s := Stats{
		PacketsIn:   p.stats.packetsIn.Load(),
		PacketsLost: p.stats.packetsLost.Load(),
		FramesIn:    p.stats.framesIn.Load(),
		FramesOut:   p.stats.framesOut.Load(),
		Codec:       codec,
	}
	if player != nil {
		s.SpeechOut = player.Played()
	}
	return s
}

// Close stops the Player and the peer's reader goroutines, closes the
// PeerConnection and waits for the goroutines the Peer started. It is
// idempotent and safe from any goroutine, OnState and OnMedia included;
// only the Sink and the OnCandidate callback must not call it. It returns
// the error of the first close.
func (p *Peer) Close() error {
	p.closeOnce.Do(func() {
		p.mu.Lock()
		p.closed = true
		player := p.player
		p.mu.Unlock()
		if player != nil {
			player.Close()
		}
		// GracefulClose also waits for Pion's own goroutines. That is safe
		// here: Pion runs OnState and OnTrack handlers on detached
		// goroutines, which it does not wait for.
		if err := p.pc.GracefulClose(); err != nil {
			p.closeErr = fmt.Errorf("close peer: %w", err)
		}
		p.wg.Wait()
	})
	return p.closeErr
}

// spawn runs f on a goroutine Close waits for, unless the peer is closed.
func (p *Peer) spawn(f func()) {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.closed {
		return
	}
	p.wg.Add(1)
	go func() {
		defer p.wg.Done()
		defer fault.Recover(component, p.h.OnFault)
		f()
	}()
}

func (p *Peer) onCandidate(c *webrtc.ICECandidate) {
	defer fault.Recover(component, p.h.OnFault)
	if c == nil {
		return
	}
	p.candMu.Lock()
	defer p.candMu.Unlock()
	if !p.trickling {
		p.pending = append(p.pending, c.ToJSON())
		return
	}
	p.deliverCandidate(c.ToJSON())
}

func (p *Peer) deliverCandidate(c webrtc.ICECandidateInit) {
	if p.h.OnCandidate == nil {
		return
	}
	p.mu.Lock()
	closed := p.closed
	p.mu.Unlock()
	if !closed {
		p.h.OnCandidate(c)
	}
}

// onState runs on a goroutine per change (Pion's way); it reports the
// current state rather than the one it was started for, so a late
// goroutine never reports a stale state.
func (p *Peer) onState(changed webrtc.PeerConnectionState) {
	defer fault.Recover(component, p.h.OnFault)
	if changed == webrtc.PeerConnectionStateConnected {
		p.ready.Store(true) // even when the report below is superseded
	}
	p.stateMu.Lock()
	defer p.stateMu.Unlock()
	s := p.pc.ConnectionState()
	if s == p.lastState || p.lastState == webrtc.PeerConnectionStateClosed {
		return
	}
	p.lastState = s
	if p.h.OnState != nil {
		p.h.OnState(stateOf(s))
	}
}

// onTrack reads the caller's first audio track until the connection
// closes. Pion calls it on a goroutine of its own; Close waits for it.
func (p *Peer) onTrack(track *webrtc.TrackRemote, receiver *webrtc.RTPReceiver) {
	defer fault.Recover(component, p.h.OnFault)
	if track.Kind() != webrtc.RTPCodecTypeAudio {
		return
	}
	p.mu.Lock()
	if p.closed || p.reading {
		p.mu.Unlock()
		return
	}
	p.reading = true
	p.wg.Add(2)
	p.mu.Unlock()
	defer p.wg.Done()
	// The caller's sender reports: read so that the report interceptor
	// sees them, and so that their queue does not fill (it did, unread,
	// by about 60 bytes a second for the whole call).
	go func() {
		defer p.wg.Done()
		defer fault.Recover(component, p.h.OnFault)
		drainRTCP(receiver)
	}()

	codec := CodecOpus
	if strings.EqualFold(track.Codec().MimeType, webrtc.MimeTypePCMU) {
		codec = CodecPCMU
	}
	in, err := newInbound(codec, p.h.Sink, &p.stats)
	if err != nil {
		in = nil // keep reading so Pion's buffers drain; audio is lost
	}
	buf := make([]byte, 1500)
	var pkt rtp.Packet
	for {
		n, _, err := track.Read(buf)
		if err != nil {
			return
		}
		if pkt.Unmarshal(buf[:n]) != nil {
			continue
		}
		if p.h.OnMedia != nil {
			p.mediaOnce.Do(func() { fault.Go(component, p.h.OnFault, p.h.OnMedia) })
		}
		if in != nil {
			in.packet(pkt.SequenceNumber, pkt.Timestamp, pkt.Payload)
		}
	}
}

// rtcpReader is the RTCP side of a webrtc.RTPSender or RTPReceiver.
type rtcpReader interface {
	Read(b []byte) (int, interceptor.Attributes, error)
}

// drainRTCP reads and discards the RTCP of one side of the call (the
// receiver reports about the agent's track, the sender reports about the
// caller's) until the connection closes: Pion's interceptors only see
// RTCP that is read, and unread RTCP stays queued.
func drainRTCP(r rtcpReader) {
	buf := make([]byte, 1500)
	for {
		if _, _, err := r.Read(buf); err != nil {
			return
		}
	}
}
