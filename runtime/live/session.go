package live

import (
	"context"
	"errors"
	"sync"
	"sync/atomic"
	"time"

	"github.com/pion/webrtc/v4"

	"github.com/parleyhq/parley/runtime/agent"
	"github.com/parleyhq/parley/runtime/call"
	"github.com/parleyhq/parley/runtime/fault"
	"github.com/parleyhq/parley/runtime/media"
	"github.com/parleyhq/parley/runtime/metrics"
	"github.com/parleyhq/parley/runtime/signaling"
)

// MaxCandidates bounds the ICE candidates a caller may send for one offer,
// before and after it: a browser gathers a handful per network interface.
const MaxCandidates = 64

// session is the live state of one call: which caller peer owns its audio,
// over which transport, and its conversation.
type session struct {
	m         *Manager
	callID    string
	sessionID string
	spec      *agent.Spec
	created   time.Time
	ctx       context.Context // ends at teardown
	cancel    context.CancelFunc
	conv      atomic.Pointer[convBox] // read on every caller frame
	fault     fault.Handler           // s.onPanic, made once (deferred on every frame)
	faulted   atomic.Bool             // a panic was contained: the call is failing

	mu         sync.Mutex
	peerID     string // the caller that owns the audio; "" before any
	client     signaling.Client
	gen        int         // counts offers; callbacks of older peers are ignored
	peer       *media.Peer // WebRTC transport, or nil
	line       *audioLine  // audio-data transport, or nil
	pending    []webrtc.ICECandidateInit
	candidates int  // candidates of the current offer, pending ones included
	counted    bool // has a transport: counted in the live calls metric
	started    bool // reached IN_PROGRESS
	mediaUp    bool // the WebRTC peer is connected now (counted in metrics)
	gotMedia   bool
	done       bool
	mediaTimer *time.Timer
	graceTimer *time.Timer
}

type convBox struct{ c Conversation }

func newSession(m *Manager, c *call.Call, spec *agent.Spec) *session {
	ctx, cancel := context.WithCancel(context.Background())
	s := &session{m: m, callID: c.ID, sessionID: c.SessionID, spec: spec, ctx: ctx, cancel: cancel, created: time.Now()}
	s.fault = s.onPanic
	return s
}

// WriteFrame passes a caller frame to the conversation (media.Sink).
func (s *session) WriteFrame(frame []int16) {
	defer fault.Recover(metrics.ComponentLive, s.fault)
	if s.faulted.Load() {
		return
	}
	if b := s.conv.Load(); b != nil {
		b.c.WriteFrame(frame)
	}
}

var errGone = signaling.Errorf(signaling.CodeSessionNotJoinable, "the call has ended")

// claim makes p the caller that owns the call's audio, unless another
// connected peer already does. Called with s.mu held.
func (s *session) claim(p signaling.Peer) error {
	if s.done {
		return errGone
	}
	if s.peerID != "" && s.peerID != p.PeerID && s.client != nil && s.client.Connected() {
		return signaling.Errorf(signaling.CodeBusy, "peer %q already talks to the agent in this session", s.peerID)
	}
	s.peerID, s.client = p.PeerID, p.Client
	s.stopGrace()
	return nil
}

func (s *session) offer(ctx context.Context, p signaling.Peer, sdp webrtc.SessionDescription) error {
	s.mu.Lock()
	if err := s.claim(p); err != nil {
		s.mu.Unlock()
		return err
	}
	if s.line != nil {
		s.mu.Unlock()
		return signaling.Errorf(signaling.CodeBusy, "this call's audio already comes as audio-data")
	}
	s.gen++
	gen := s.gen
	old := s.peer
	s.peer = nil
	pending := s.pending
	s.pending = nil
	if old != nil {
		s.candidates = 0 // a new offer (ICE restart): its own candidates
	}
	s.count()
	oldConv := s.conv.Swap(nil)
	s.mu.Unlock()
	// A new offer replaces the media connection and its conversation.
	if oldConv != nil {
		oldConv.c.Close()
	}
	if old != nil {
		_ = old.Close()
	}

	if _, err := s.m.calls.Connect(ctx, s.callID); err != nil {
		if errors.Is(err, call.ErrInvalidTransition) {
			return s.gone()
		}
		return err
	}
	client := p.Client
	var peer *media.Peer
	peer, err := s.m.engine.NewPeer(media.PeerHandlers{
		OnCandidate: func(c webrtc.ICECandidateInit) {
			client.Emit("ice-candidate", map[string]any{"peerId": signaling.AgentPeerID, "candidate": candidatePayload(c)})
		},
		OnState: func(st media.State) { s.onState(gen, st) },
		OnMedia: func() { s.onMedia(gen) },
		Sink:    s,
		OnFault: s.fault,
	})
	if err != nil {
		return err
	}
	answer, err := peer.Answer(sdp)
	if err != nil {
		_ = peer.Close()
		if errors.Is(err, media.ErrNoCodec) {
			return signaling.Errorf(signaling.CodeOfferRejected, "offer: no audio in Opus or PCMU to answer")
		}
		return signaling.Errorf(signaling.CodeOfferRejected, "offer: %v", err)
	}
	for _, c := range pending {
		if err := peer.AddCandidate(c); err != nil {
			s.m.log.Debug("early candidate dropped", "call", s.callID, "err", err)
		}
	}
	s.mu.Lock()
	if s.done || s.gen != gen {
		s.mu.Unlock()
		_ = peer.Close()
		return errGone
	}
	s.peer = peer
	if !s.gotMedia && s.mediaTimer == nil {
		s.mediaTimer = time.AfterFunc(s.m.cfg.MediaTimeout, func() {
			defer fault.Recover(metrics.ComponentLive, s.fault)
			s.m.finish(s.ctx, s.callID, ReasonNoMedia)
		})
	}
	s.mu.Unlock()
	client.Emit("answer", map[string]any{"peerId": signaling.AgentPeerID, "answer": map[string]any{"type": answer.Type.String(), "sdp": answer.SDP}})
	peer.Trickle()
	s.m.log.Info("offer answered", "call", s.callID, "peer", p.PeerID)
	return nil
}

// gone frees a session whose call finished before the session was made
// (its CallChanged found nothing to free) and refuses the event.
func (s *session) gone() error {
	s.m.CallChanged(call.Call{ID: s.callID, Status: call.StatusEnded})
	return errGone
}

func (s *session) candidate(p signaling.Peer, c webrtc.ICECandidateInit) error {
	s.mu.Lock()
	if s.done {
		s.mu.Unlock()
		return errGone
	}
	if s.peerID != "" && s.peerID != p.PeerID {
		s.mu.Unlock()
		return signaling.Errorf(signaling.CodeBusy, "peer %q already talks to the agent in this session", s.peerID)
	}
	if s.peerID == "" {
		// Before any offer: this caller's, so that its leaving frees them.
		s.peerID, s.client = p.PeerID, p.Client
	}
	if s.candidates >= MaxCandidates {
		s.mu.Unlock()
		return signaling.Errorf(signaling.CodeTooManyCandidates, "ice-candidate: more than %d candidates for one offer", MaxCandidates)
	}
	s.candidates++
	peer := s.peer
	if peer == nil {
		// Before the offer: keep it for the peer the offer makes.
		s.pending = append(s.pending, c)
		s.mu.Unlock()
		return nil
	}
	s.mu.Unlock()
	if err := peer.AddCandidate(c); err != nil {
		if errors.Is(err, media.ErrCandidateBlocked) {
			// Not the caller's fault (a link-local or mDNS address):
			// dropped, the call goes on.
			s.m.log.Debug("candidate dropped", "call", s.callID, "err", err)
			return nil
		}
		return signaling.Errorf(signaling.CodeInvalidPayload, "ice-candidate: %v", err)
	}
	return nil
}

// current reports whether gen is the live peer's generation.
func (s *session) current(gen int) bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	return !s.done && s.gen == gen
}

func (s *session) onMedia(gen int) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.done || s.gen != gen {
		return
	}
	s.gotMedia = true
	if s.mediaTimer != nil {
		s.mediaTimer.Stop()
	}
}

func (s *session) onState(gen int, st media.State) {
	if !s.current(gen) {
		return
	}
	s.m.log.Debug("peer state", "call", s.callID, "state", st.String())
	switch st {
	case media.StateConnected:
		s.mu.Lock()
		s.stopGrace()
		s.setMediaUp(true)
		peer := s.peer
		s.mu.Unlock()
		if peer != nil {
			s.begin(gen, peer.Player())
		}
	case media.StateDisconnected:
		s.mu.Lock()
		s.setMediaUp(false)
		s.startGrace()
		s.mu.Unlock()
	case media.StateFailed:
		s.mu.Lock()
		s.setMediaUp(false)
		reason := ReasonICEFailed
		if s.started {
			reason = ReasonConnectionLost
		}
		s.mu.Unlock()
		s.m.finish(s.ctx, s.callID, reason)
	}
}

// begin moves the call to IN_PROGRESS (once) and starts the conversation
// on out, unless one is running.
func (s *session) begin(gen int, out *media.Player) {
	s.mu.Lock()
	first := !s.started
	s.started = true
	running := s.conv.Load() != nil
	s.mu.Unlock()
	if running {
		return
	}
	var c *call.Call
	var err error
	if first {
		c, err = s.m.calls.Start(s.ctx, s.callID)
	} else {
		c, err = s.m.calls.Get(s.ctx, s.callID)
	}
	if err != nil || !c.Status.Live() {
		if err != nil && !errors.Is(err, call.ErrInvalidTransition) && !errors.Is(err, context.Canceled) {
			s.m.log.Error("could not start call", "call", s.callID, "err", err)
		}
		return
	}
	line := Line{
		Player: out,
		Emit:   func(event string, payload map[string]any) { s.m.broadcast(s.sessionID, event, payload) },
		Hangup: func(reason string) {
			fault.Go(metrics.ComponentLive, s.fault, func() { s.m.finish(s.ctx, s.callID, reason) })
		},
		Fault: s.fault,
	}
	conv, err := s.m.convs.Start(s.ctx, c, s.spec, line)
	if err != nil {
		s.m.log.Error("conversation did not start", "call", s.callID, "err", err)
		return
	}
	s.mu.Lock()
	if s.done || s.gen != gen || !s.conv.CompareAndSwap(nil, &convBox{conv}) {
		s.mu.Unlock()
		conv.Close()
		return
	}
	s.mu.Unlock()
	s.m.log.Info("call media connected", "call", s.callID)
}

func (s *session) leave(p signaling.Peer, disconnected bool) {
	s.mu.Lock()
	if s.done || p.PeerID != s.peerID {
		s.mu.Unlock()
		return
	}
	if !s.counted {
		// Only candidates so far, no transport, no call state: forget
		// them; the call waits for its caller as before.
		s.mu.Unlock()
		s.m.discard(s)
		return
	}
	if !disconnected {
		s.mu.Unlock()
		s.m.finish(s.ctx, s.callID, ReasonCallerLeft)
		return
	}
	// The socket is gone. WebRTC media may still be up: then the peer's
	// own state decides; otherwise wait for the caller to come back.
	if !s.mediaUp {
		s.startGrace()
	}
	s.mu.Unlock()
}

// count counts the session in the live calls metric, once it has a
// transport. Called with s.mu held.
func (s *session) count() {
	if !s.counted {
		s.counted = true
		s.m.cfg.Metrics.CallStarted(s.spec.Name)
	}
}

// setMediaUp records whether the WebRTC peer is connected. Called with
// s.mu held.
func (s *session) setMediaUp(up bool) {
	if up == s.mediaUp {
		return
	}
	s.mediaUp = up
	if up {
		s.m.cfg.Metrics.PeerConnected()
	} else {
		s.m.cfg.Metrics.PeerDisconnected()
	}
}

// startGrace ends the call unless the caller is back within the grace
// period. Called with s.mu held.
func (s *session) startGrace() {
	if s.graceTimer != nil || s.done {
		return
	}
	s.graceTimer = time.AfterFunc(s.m.cfg.DisconnectGrace, func() {
		defer fault.Recover(metrics.ComponentLive, s.fault)
		s.m.finish(s.ctx, s.callID, ReasonCallerDisconnected)
	})
}

// stopGrace cancels the grace period. Called with s.mu held.
func (s *session) stopGrace() {
	if s.graceTimer != nil {
		s.graceTimer.Stop()
		s.graceTimer = nil
	}
}

// teardown frees everything of the session; the call has finished.
func (s *session) teardown(status call.Status) {
	s.mu.Lock()
	s.done = true
	s.setMediaUp(false)
	s.stopGrace()
	if s.mediaTimer != nil {
		s.mediaTimer.Stop()
	}
	peer, line, client := s.peer, s.line, s.client
	s.peer, s.line = nil, nil
	s.mu.Unlock()
	s.cancel()
	if b := s.conv.Swap(nil); b != nil {
		b.c.Close()
	}
	attrs := []any{"call", s.callID, "status", status.String()}
	if peer != nil {
		_ = peer.Close()
		st := peer.Stats()
		attrs = append(attrs, "transport", "webrtc", "codec", st.Codec, "packets_in", st.PacketsIn, "packets_lost", st.PacketsLost,
			"frames_in", st.FramesIn, "frames_out", st.FramesOut, "speech_out_ms", st.SpeechOut.Milliseconds())
	}
	if line != nil {
		line.close()
		attrs = append(attrs, "transport", "audio-data", "speech_out_ms", line.player.Played().Milliseconds())
	}
	if client != nil && client.Connected() {
		client.Emit("peer-left", map[string]any{"peerId": signaling.AgentPeerID})
	}
	if s.counted {
		s.m.cfg.Metrics.CallFinished(s.spec.Name, status.String())
	}
	s.m.log.Info("call media freed", attrs...)
}

// audio takes a chunk of audio-data: the first one opens the audio-data
// transport and starts the call.
func (s *session) audio(p signaling.Peer, a signaling.AudioData) error {
	s.mu.Lock()
	if err := s.claim(p); err != nil {
		s.mu.Unlock()
		return err
	}
	if s.peer != nil {
		s.mu.Unlock()
		return signaling.Errorf(signaling.CodeBusy, "this call's audio already comes over WebRTC")
	}
	line := s.line
	opened := line == nil
	if opened {
		var err error
		if line, err = newAudioLine(p.Client, s.sessionID, s, s.fault); err != nil {
			s.mu.Unlock()
			return err
		}
		s.line = line
		s.count()
	} else {
		line.setClient(p.Client)
	}
	gen := s.gen
	s.mu.Unlock()
	if opened {
		if _, err := s.m.calls.Connect(s.ctx, s.callID); err != nil {
			if errors.Is(err, call.ErrInvalidTransition) {
				return s.gone()
			}
			return err
		}
		s.begin(gen, line.player)
	}
	return line.feed(a.PCM)
}
