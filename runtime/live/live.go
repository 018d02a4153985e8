// Package live runs the realtime side of calls answered by an agent. For
// each such call it owns the caller's audio connection (a server-side
// WebRTC peer, or audio-data events for clients without WebRTC), moves the
// call through CONNECTING, IN_PROGRESS, ENDED or FAILED as that connection
// does, and hands the caller's audio to the call's Conversation, which
// speaks back through a media.Player.
//
// Manager implements signaling.Agent; wire its CallChanged to
// service.Calls.Observe so that ending a call over REST frees its media.
package live

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"sync"
	"sync/atomic"
	"time"

	"github.com/parleyhq/parley/runtime/agent"
	"github.com/parleyhq/parley/runtime/call"
	"github.com/parleyhq/parley/runtime/fault"
	"github.com/parleyhq/parley/runtime/media"
	"github.com/parleyhq/parley/runtime/metrics"
	"github.com/parleyhq/parley/runtime/signaling"
)

// Reasons a call ends or fails because of its media.
const (
	ReasonCallerLeft         = "caller left"
	ReasonCallerDisconnected = "caller disconnected"
	ReasonICEFailed          = "ice failed"
	ReasonNoMedia            = "no media"
	ReasonConnectionLost     = "connection lost"
	ReasonShutdown           = call.ReasonShutdown
)

// EventCallStatus is the live event sent to a session's clients on every
// status change of its call: {callId, status, reason}.
const EventCallStatus = "call-status"

// Calls is what Manager needs of the call use cases; *service.Calls
// implements it.
type Calls interface {
	Get(ctx context.Context, id string) (*call.Call, error)
	Connect(ctx context.Context, id string) (*call.Call, error)
	Start(ctx context.Context, id string) (*call.Call, error)
	End(ctx context.Context, id, reason string) (*call.Call, error)
	Fail(ctx context.Context, id, reason string) (*call.Call, error)
	// AgentSpec is the spec the call started with.
	AgentSpec(id string) (*agent.Spec, bool)
}

// Conversation is the agent's side of one call. It receives the caller's
// audio (media.Sink: 16 kHz mono, 20 ms frames, from one goroutine) and
// speaks through the Line it was started with.
type Conversation interface {
	media.Sink
	// Close stops the conversation; the call has ended. It is called once
	// and returns when the conversation has stopped using its Player.
	Close()
}

// Line is a call's connection to its caller as the conversation sees it.
type Line struct {
	// Player speaks to the caller.
	Player *media.Player
	// Emit sends a live event to every client of the call's session. It
	// never blocks.
	Emit func(event string, payload map[string]any)
	// Hangup ends the call with reason (the agent said goodbye).
	Hangup func(reason string)
	// Fault is told of a panic the conversation contained in one of its
	// goroutines: the call then fails (reason "internal error"), the stack
	// is logged and the panic counted. It may block briefly (it stores the
	// call's end); never call it holding a lock the teardown needs.
	Fault fault.Handler
}

// Conversations starts the agent's side of a call once the caller's audio
// connects: the interface between realtime media and the conversation
// loop.
type Conversations interface {
	// Start begins the conversation of c under spec on line. ctx ends
	// with the call.
	Start(ctx context.Context, c *call.Call, spec *agent.Spec, line Line) (Conversation, error)
}

// SessionEnder is told when a session's call has ended, so that it can
// free what it keeps of the session; a Broadcaster may implement it
// (*signaling.Server does).
type SessionEnder interface {
	SessionEnded(sessionID string)
}

// Broadcaster sends an event to every client of a session;
// *signaling.Server implements it.
type Broadcaster interface {
	Broadcast(sessionID, event string, payload map[string]any)
}

// Config bounds how long a call waits for its caller.
type Config struct {
	// MediaTimeout: a call whose caller sends no audio this long after
	// its offer is FAILED (or ENDED, if it was already IN_PROGRESS).
	MediaTimeout time.Duration
	// DisconnectGrace: a caller whose connection stays down this long
	// ends the call.
	DisconnectGrace time.Duration
	// RingTimeout: a session whose call has not reached IN_PROGRESS this
	// long after the session was made is reaped: its call FAILS (reason
	// "no answer") if still live, and its media state is freed either way.
	// 0 turns the reaper off.
	RingTimeout time.Duration
	// Metrics counts live calls and connected peers; may be nil.
	Metrics *metrics.Metrics
}

// Manager runs the live calls. It is safe for concurrent use.
type Manager struct {
	engine *media.Engine
	calls  Calls
	convs  Conversations
	cfg    Config
	log    *slog.Logger

	events atomic.Pointer[Broadcaster]

	mu       sync.Mutex
	sessions map[string]*session // by call id; bounded by the reaper and the calls' lifetimes
	closed   bool
	wg       sync.WaitGroup // teardowns in flight

	stopReaper chan struct{}
	reaperDone chan struct{}
}

// New returns a Manager making WebRTC peers with engine.
func New(engine *media.Engine, calls Calls, convs Conversations, cfg Config, log *slog.Logger) (*Manager, error) {
	if engine == nil || calls == nil || convs == nil {
		return nil, errors.New("live: engine, calls and conversations are required")
	}
	if cfg.MediaTimeout <= 0 || cfg.DisconnectGrace <= 0 {
		return nil, errors.New("live: media timeout and disconnect grace must be positive")
	}
	if log == nil {
		log = slog.Default()
	}
	m := &Manager{engine: engine, calls: calls, convs: convs, cfg: cfg, log: log.With("component", "live"), sessions: map[string]*session{},
		stopReaper: make(chan struct{}), reaperDone: make(chan struct{})}
	if cfg.RingTimeout > 0 {
		go m.reap()
	} else {
		close(m.reaperDone)
	}
	return m, nil
}

var _ signaling.Agent = (*Manager)(nil)

// SetBroadcaster sets where live events go (the signaling server, which is
// made after the Manager because it needs it).
func (m *Manager) SetBroadcaster(b Broadcaster) { m.events.Store(&b) }

// broadcast sends an event to the clients of sessionID, if anyone listens.
func (m *Manager) broadcast(sessionID, event string, payload map[string]any) {
	if b := m.events.Load(); b != nil {
		(*b).Broadcast(sessionID, event, payload)
	}
}

// errClosed refuses new work after Close.
var errClosed = signaling.Errorf(signaling.CodeSessionNotJoinable, "the runtime is shutting down")

// session returns the session of p's call, creating it for a live call.
func (m *Manager) session(ctx context.Context, p signaling.Peer) (*session, error) {
	m.mu.Lock()
	s := m.sessions[p.CallID]
	closed := m.closed
	m.mu.Unlock()
	if closed {
		return nil, errClosed
	}
	if s != nil {
		return s, nil
	}
	c, err := m.calls.Get(ctx, p.CallID)
	if err != nil {
		return nil, fmt.Errorf("look up call %s: %w", p.CallID, err)
	}
	if !c.Status.Live() {
		return nil, signaling.Errorf(signaling.CodeSessionNotJoinable, "call %s has %s", c.ID, c.Status)
	}
	spec, ok := m.calls.AgentSpec(c.ID)
	if !ok {
		return nil, signaling.Errorf(signaling.CodeSessionNotJoinable, "call %s has no agent spec (was the runtime restarted?)", c.ID)
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	if m.closed {
		return nil, errClosed
	}
	if s = m.sessions[c.ID]; s == nil {
		// Counted in the metrics once it has a transport (offer or
		// audio-data): candidates alone do not make a live call.
		s = newSession(m, c, spec)
		m.sessions[c.ID] = s
	}
	return s, nil
}

// discard forgets a session that never had a transport (its caller sent
// only candidates, then left): nothing of the call changes.
func (m *Manager) discard(s *session) {
	m.mu.Lock()
	if m.sessions[s.callID] == s {
		delete(m.sessions, s.callID)
	}
	m.mu.Unlock()
	s.mu.Lock()
	s.done = true
	s.pending = nil
	s.mu.Unlock()
	s.cancel()
}

// existing returns the session of callID, or nil.
func (m *Manager) existing(callID string) *session {
	m.mu.Lock()
	defer m.mu.Unlock()
	return m.sessions[callID]
}

// Offer answers a caller's WebRTC offer with the agent peer.
func (m *Manager) Offer(ctx context.Context, p signaling.Peer, offer map[string]any) (err error) {
	defer m.containEvent(p.CallID, &err)
	sdp, err := parseOffer(offer)
	if err != nil {
		return err
	}
	s, err := m.session(ctx, p)
	if err != nil {
		return err
	}
	return s.offer(ctx, p, sdp)
}

// Candidate adds the caller's trickled ICE candidate.
func (m *Manager) Candidate(p signaling.Peer, candidate map[string]any) (err error) {
	defer m.containEvent(p.CallID, &err)
	c, err := parseCandidate(candidate)
	if err != nil {
		return err
	}
	s, err := m.session(context.Background(), p)
	if err != nil {
		return err
	}
	return s.candidate(p, c)
}

// Audio takes a chunk of the caller's audio-data.
func (m *Manager) Audio(p signaling.Peer, a signaling.AudioData) (err error) {
	defer m.containEvent(p.CallID, &err)
	s, err := m.session(context.Background(), p)
	if err != nil {
		return err
	}
	return s.audio(p, a)
}

// Leave ends the call when its caller leaves the session, and starts the
// disconnect grace period when the caller's socket is lost.
func (m *Manager) Leave(p signaling.Peer, disconnected bool) {
	var err error
	defer m.containEvent(p.CallID, &err)
	if s := m.existing(p.CallID); s != nil {
		s.leave(p, disconnected)
	}
}

// CallChanged frees the media of a call that ENDED or FAILED, however it
// happened (REST, signaling, media). Pass it to service.Calls.Observe.
func (m *Manager) CallChanged(c call.Call) {
	if c.SessionID != "" {
		m.broadcast(c.SessionID, EventCallStatus, map[string]any{"callId": c.ID, "status": c.Status.String(), "reason": c.EndReason})
		if c.Status.Terminal() {
			if b := m.events.Load(); b != nil {
				if e, ok := (*b).(SessionEnder); ok {
					e.SessionEnded(c.SessionID)
				}
			}
		}
	}
	if !c.Status.Terminal() {
		return
	}
	m.mu.Lock()
	s := m.sessions[c.ID]
	delete(m.sessions, c.ID)
	if s != nil {
		m.wg.Add(1)
	}
	m.mu.Unlock()
	if s == nil {
		return
	}
	// Closing a peer waits for its goroutines, some of which may be the
	// very caller of End that led here: never block the observer.
	go func() {
		defer m.wg.Done()
		defer fault.Recover(metrics.ComponentLive, m.teardownPanicked(c.ID))
		s.teardown(c.Status)
	}()
}

// Active returns the number of calls with live media state.
func (m *Manager) Active() int {
	m.mu.Lock()
	defer m.mu.Unlock()
	return len(m.sessions)
}

// Close ends every live call (reason "shutdown"), frees its media
// and refuses new work. It returns when everything is freed or ctx is done.
func (m *Manager) Close(ctx context.Context) error {
	m.mu.Lock()
	if !m.closed {
		close(m.stopReaper)
	}
	m.closed = true
	ids := make([]string, 0, len(m.sessions))
	for id := range m.sessions {
		ids = append(ids, id)
	}
	m.mu.Unlock()
	for _, id := range ids {
		m.finish(ctx, id, ReasonShutdown)
	}
	done := make(chan struct{})
	go func() { m.wg.Wait(); <-m.reaperDone; close(done) }()
	select {
	case <-done:
		return nil
	case <-ctx.Done():
		return fmt.Errorf("live: close: %w", ctx.Err())
	}
}

// finish ends (or, before IN_PROGRESS or for an internal error, fails)
// callID for reason; the observer then tears its session down. When the
// call had already finished, the session is torn down directly.
func (m *Manager) finish(ctx context.Context, callID, reason string) {
	ctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 5*time.Second)
	defer cancel()
	c, err := m.calls.Get(ctx, callID)
	if err == nil && c.Status.Live() {
		ends := c.Status == call.StatusInProgress || reason == ReasonCallerLeft || reason == ReasonShutdown
		if ends && reason != fault.ReasonInternalError {
			_, err = m.calls.End(ctx, callID, reason)
		} else {
			_, err = m.calls.Fail(ctx, callID, reason)
		}
		if err == nil {
			return // CallChanged tears down
		}
	}
	if err != nil && !errors.Is(err, call.ErrInvalidTransition) {
		m.log.Error("could not finish call", "call", callID, "reason", reason, "err", err)
	}
	status := call.StatusEnded
	if c != nil && c.Status.Terminal() {
		status = c.Status
	}
	m.CallChanged(call.Call{ID: callID, Status: status})
}
