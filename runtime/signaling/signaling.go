// Package signaling is the runtime's Socket.IO v4 signaling server: the
// original system's /signaling namespace (join-session, offer, answer,
// ice-candidate, leave-session and the server events joined-session,
// peer-joined, peer-left, peer-disconnected, error), served through Fiber on
// the REST port at /socket.io/.
package signaling

import (
	"context"
	_ "embed"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"sync"
	"time"

	"github.com/gofiber/fiber/v2"
	"github.com/gofiber/fiber/v2/middleware/adaptor"
	"github.com/valyala/fasthttp"
	"github.com/zishang520/socket.io/servers/engine/v3"
	"github.com/zishang520/socket.io/servers/socket/v3"
	"github.com/zishang520/socket.io/v3/pkg/types"

	"github.com/parleyhq/parley/runtime/bus"
)

// Namespace is the Socket.IO namespace clients connect to.
const Namespace = "/signaling"

// Path is the Engine.IO endpoint on the HTTP server.
const Path = "/socket.io"

// clientJS is the official Socket.IO browser client, socket.io-client 4.8.4
// dist/socket.io.min.js, (c) Guillermo Rauch, MIT License
// (https://github.com/socketio/socket.io/blob/main/LICENSE). Served at
// /socket.io/socket.io.js because the Go server looks for it next to the
// executable, not in the binary.
//
//go:embed static/socket.io.min.js
var clientJS []byte

// ErrSessionNotFound may be returned by Sessions.Lookup for an unknown session.
var ErrSessionNotFound = errors.New("session not found")

// Session is what signaling needs to know of a call's session.
type Session struct {
	CallID string
	// Live is false once the call has ENDED or FAILED.
	Live bool
	// Agent is true when the runtime's agent answers the call (no
	// receiverNumber): offers, candidates and audio-data go to the Agent
	// instead of being relayed to the other peers.
	Agent bool
	// TokenID is the id of the call token that created the call; empty
	// when a key holder or open mode created it. In key mode a call token
	// joins only the session whose TokenID is its id.
	TokenID string
	// Owner is the id of the instance holding the call. With a bus
	// (WithBus), a join of a session another instance owns is forwarded
	// there; empty means this instance.
	Owner string
}

// Sessions tells whether a session (call) may be joined.
type Sessions interface {
	// Lookup returns the session of sessionID. An unknown session is a zero
	// Session (empty CallID) or an error wrapping ErrSessionNotFound; any
	// other error is internal.
	Lookup(ctx context.Context, sessionID string) (Session, error)
}

type options struct {
	maxPayload    int64
	lookupTimeout time.Duration
	pingInterval  time.Duration
	pingTimeout   time.Duration
	corsOrigin    string
	agent         Agent
	gate          Gate
	origins       []string // lower case; empty: any
	eventRate     int
	byteRate      int
	recovery      time.Duration
	bus           *bus.Bus // with instance: sessions shared with other instances (remote.go)
	instance      string
}

// Option tunes the server.
type Option func(*options)

// WithMaxPayload sets the largest Engine.IO message in bytes (default 64 KiB);
// a client sending more is disconnected.
func WithMaxPayload(n int64) Option { return func(o *options) { o.maxPayload = n } }

// WithLookupTimeout bounds Sessions.Lookup (default 5 s).
func WithLookupTimeout(d time.Duration) Option { return func(o *options) { o.lookupTimeout = d } }

// WithPing sets the Engine.IO heartbeat (defaults 25 s / 20 s).
func WithPing(interval, timeout time.Duration) Option {
	return func(o *options) { o.pingInterval, o.pingTimeout = interval, timeout }
}

// WithCORSOrigin lets browsers on origin (or "*", or a comma-separated
// list) use the polling transport cross-origin, and is the list Engine.IO
// checks websocket upgrades against. Empty (the default) sends no CORS
// headers from Engine.IO, and websocket upgrades must be same-origin.
func WithCORSOrigin(origin string) Option { return func(o *options) { o.corsOrigin = origin } }

// WithAgent sets who answers agent sessions (Session.Agent). Without one,
// every session is relayed between its peers.
func WithAgent(a Agent) Option { return func(o *options) { o.agent = a } }

// peer is the signaling state of one socket once it joined.
type peer struct {
	conn      member
	sessionID string
	peerID    string
	callID    string
	agent     bool // the session is answered by the Agent
	caller    bool // holds the session's seat (agent sessions)
	observer  bool // watches: may not send offer, answer, ice-candidate or audio-data

	// audio-data's sampleRate, and when it last changed (zero: never);
	// used from the socket's event queue only.
	audioRate    int
	audioRateSet time.Time
}

// Server is the signaling server.
type Server struct {
	io       *socket.Server
	handler  fiber.Handler
	sessions Sessions
	log      *slog.Logger
	opts     options
	base     context.Context
	cancel   context.CancelFunc
	gate     *connectGate // holds packets sent right after a namespace CONNECT (connectgate.go)
	handlers map[string]handler
	remote   *remote // nil without a bus: every session is held here (remote.go)

	mu     sync.Mutex
	joined map[socket.SocketId]*peer             // socket -> its session
	rooms  map[string]map[string]socket.SocketId // sessionId -> peerId -> socket
	seats  map[string]*seat                      // sessionId -> its caller (agent sessions)
	// limiters holds each Engine.IO connection's limiter by its id.
	limiters sync.Map
	away     map[socket.SocketId]*peer // dropped sockets that may recover
	closed   bool
}

// New creates the server; Mount serves it.
func New(sessions Sessions, log *slog.Logger, opts ...Option) (*Server, error) {
	if sessions == nil {
		return nil, errors.New("signaling: nil Sessions")
	}
	if log == nil {
		log = slog.Default()
	}
	o := options{maxPayload: 64 << 10, lookupTimeout: 5 * time.Second}
	for _, fn := range opts {
		fn(&o)
	}
	if o.maxPayload <= 0 || o.lookupTimeout <= 0 {
		return nil, errors.New("signaling: max payload and lookup timeout must be positive")
	}
	if o.bus != nil && o.instance == "" {
		return nil, errors.New("signaling: a bus needs this instance's id")
	}
	so := socket.DefaultServerOptions()
	so.SetServeClient(false)
	so.SetPath(Path)
	so.SetMaxHttpBufferSize(o.maxPayload)
	so.SetTransports(types.NewSet[socket.TransportCtor](&pollingCtor{}, socket.WebSocket)) // polling.go
	so.SetAllowEIO3(false)
	if o.pingInterval > 0 {
		so.SetPingInterval(o.pingInterval)
	}
	if o.pingTimeout > 0 {
		so.SetPingTimeout(o.pingTimeout)
	}
	if o.corsOrigin != "" {
		so.SetCors(&types.Cors{Origin: corsOrigins(o.corsOrigin)})
	}
	if o.recovery > 0 {
		csr := socket.DefaultConnectionStateRecovery()
		csr.SetMaxDisconnectionDuration(o.recovery.Milliseconds())
		// Emitted events are kept until the sweep after they expire.
		csr.SetSessionCleanupInterval(max(o.recovery/2, time.Second))
		so.SetConnectionStateRecovery(csr)
	}
	s := &Server{
		sessions: sessions,
		log:      log.With("component", "signaling"),
		opts:     o,
		joined:   map[socket.SocketId]*peer{},
		rooms:    map[string]map[string]socket.SocketId{},
		gate:     newConnectGate(log.With("component", "signaling"), connectHoldLimit),
		seats:    map[string]*seat{},
		away:     map[socket.SocketId]*peer{},
	}
	s.handlers = s.handlerMap()
	s.io = socket.NewServer(nil, so)
	// fasthttp's RequestCtx is pooled and reused once a handler returns, but
	// Engine.IO keeps the request context of long-lived polling and
	// websocket connections: through the adaptor that context would be a
	// recycled RequestCtx (seen as "context: internal error: missing cancel
	// error" panics at shutdown). Give every request the server's own
	// context instead; Close cancels it.
	s.base, s.cancel = context.WithCancel(context.Background())
	eio := s.io.ServeHandler(so)
	if err := s.io.Engine().On("connection", func(args ...any) {
		if conn, ok := first[engine.Socket](args); ok {
			s.limitConn(conn)
		}
	}); err != nil {
		return nil, fmt.Errorf("signaling: %w", err)
	}
	s.handler = adaptor.HTTPHandler(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if origin := r.Header.Get("Origin"); !s.originAllowed(origin) {
			refuseOrigin(w, origin)
			return
		}
		if fctx, ok := r.Context().(*fasthttp.RequestCtx); ok {
			w = hijackWriter{ResponseWriter: w, ctx: fctx} // see hijack.go
		}
		eio.ServeHTTP(w, r.WithContext(s.base))
	}))
	// Registered after the Socket.IO server's own listener, so it runs
	// once the connection's Client exists, and before any packet is read.
	if err := s.io.Engine().On("connection", s.gate.watch, handOverOnUpgrade); err != nil {
		return nil, fmt.Errorf("signaling: watch engine connections: %w", err)
	}
	nsp := s.io.Of(Namespace, nil)
	if o.gate != nil {
		nsp.Use(s.handshakeGate)
	}
	if err := nsp.On("connection", func(args ...any) {
		if c, ok := first[*socket.Socket](args); ok {
			defer s.gate.connected(c.Conn().Id()) // handlers registered: let its packets in
			s.onConnection(c)
		}
	}); err != nil {
		return nil, err
	}
	if o.bus != nil {
		if err := s.startRemote(); err != nil {
			return nil, fmt.Errorf("signaling: %w", err)
		}
	}
	return s, nil
}

// Mount registers GET /socket.io/socket.io.js (the browser client) and the
// Engine.IO endpoint /socket.io/ on app. Mount it before any catch-all route.
func (s *Server) Mount(app *fiber.App) {
	app.Get(Path+"/socket.io.js", func(c *fiber.Ctx) error {
		c.Set(fiber.HeaderContentType, "application/javascript; charset=utf-8")
		c.Set(fiber.HeaderCacheControl, "public, max-age=3600")
		return c.Send(clientJS)
	})
	app.Use(Path, s.handler)
}

// Close disconnects every client.
func (s *Server) Close() error {
	s.mu.Lock()
	if s.closed {
		s.mu.Unlock()
		return nil
	}
	s.closed = true
	s.mu.Unlock()
	if s.remote != nil {
		s.remote.close()
	}
	s.waitWritten(time.Now().Add(closeFlush))
	s.io.Close(nil)
	s.cancel()
	return nil
}

// closeFlush bounds how long Close waits for the sockets' queued events
// to be written.
const closeFlush = 2 * time.Second

// waitWritten waits, until deadline, for every connection to have written
// what it was given, so that the events broadcast just before Close (a
// shutdown's last call-status) reach their clients. The engine cannot be
// asked to (servers/engine v3.0.6): its Close(true), which the server's
// Close uses, discards the queue, and a graceful Close(false) closes the
// connection when the socket's "drain" fires, which flush emits as soon as
// it has handed the packets to the websocket transport, whose Send only
// queues them (transports/websocket.go): DoClose then closes the
// connection under the write. A transport is writable again once its
// writes are done; seen idle twice in a row, 10 ms apart, no flush of what
// was still buffered can be between them.
func (s *Server) waitWritten(deadline time.Time) {
	nsp := s.io.Of(Namespace, nil)
	for idle := 0; idle < 2 && time.Now().Before(deadline); {
		busy := false
		nsp.Sockets().Range(func(_ socket.SocketId, c *socket.Socket) bool {
			busy = !c.Conn().Transport().Writable()
			return !busy
		})
		if busy {
			idle = 0
		} else {
			idle++
		}
		time.Sleep(10 * time.Millisecond)
	}
}

// Broadcast sends event with payload to every client joined to sessionID,
// on this instance or, through the bus, on others.
func (s *Server) Broadcast(sessionID, event string, payload map[string]any) {
	s.toRoom(sessionID, "", event, payload)
}

// Peers returns the peer ids joined to sessionID.
func (s *Server) Peers(sessionID string) []string {
	s.mu.Lock()
	defer s.mu.Unlock()
	out := make([]string, 0, len(s.rooms[sessionID]))
	for id := range s.rooms[sessionID] {
		out = append(out, id)
	}
	return out
}

func first[T any](args []any) (T, bool) {
	var zero T
	if len(args) == 0 {
		return zero, false
	}
	v, ok := args[0].(T)
	return v, ok
}

// splitAck removes a trailing ack callback from args.
func splitAck(args []any) ([]any, socket.Ack) {
	if n := len(args); n > 0 {
		if ack, ok := args[n-1].(socket.Ack); ok {
			return args[:n-1], ack
		}
	}
	return args, nil
}

func (s *Server) onConnection(c *socket.Socket) {
	lim := s.connLimiter(c)
	self := localMember{c}
	for event, fn := range s.handlers {
		_ = c.On(event, func(raw ...any) {
			if lim.over() {
				return // being disconnected
			}
			args, ack := splitAck(raw)
			defer func() {
				if r := recover(); r != nil {
					s.log.Error("signaling handler panic", "event", event, "panic", r)
					s.reply(c, ack, errorf(CodeInternal, "%s failed", event))
				}
			}()
			m, perr := parseMessage(event, args)
			if perr == nil {
				if px := s.proxyOf(c.Id()); px != nil { // its session is held by another instance
					perr = s.forward(px, c.Id(), event, args[0])
				} else {
					perr = fn(self, m)
				}
			}
			s.reply(c, ack, perr)
		})
	}
	_ = c.On("disconnect", func(args ...any) {
		reason, _ := first[any](args)
		if px := s.dropProxy(c.Id()); px != nil {
			s.forwardDisconnect(px, c.Id())
			return
		}
		s.onDisconnect(self, reason)
	})
	if c.Recovered() {
		s.recover(c)
	}
}

// reply answers the ack, if any, and reports a failure as an `error` event.
func (s *Server) reply(c *socket.Socket, ack socket.Ack, e *Error) {
	if e != nil {
		_ = c.Emit("error", e.payload())
		if ack != nil {
			ack([]any{map[string]any{"ok": false, "error": e.payload()}}, nil)
		}
		return
	}
	if ack != nil {
		ack([]any{map[string]any{"ok": true}}, nil)
	}
}

// handlerMap maps each client event to its handler.
func (s *Server) handlerMap() map[string]handler {
	h := map[string]handler{"join-session": s.join, "leave-session": s.leave, "audio-data": s.audioData}
	for event := range relayField {
		h[event] = s.relay(event)
	}
	return h
}

// authorize checks that c joined m.SessionID as m.PeerID and returns its
// membership.
func (s *Server) authorize(c member, event string, m message) (*peer, *Error) {
	s.mu.Lock()
	p := s.joined[c.ID()]
	s.mu.Unlock()
	switch {
	case p == nil:
		return nil, errorf(CodeNotJoined, "%s: join-session first", event)
	case p.sessionID != m.SessionID:
		return nil, errorf(CodeForbidden, "%s: this connection did not join session %q", event, m.SessionID)
	case p.peerID != m.PeerID:
		return nil, errorf(CodeForbidden, "%s: this connection is not peer %q", event, m.PeerID)
	case p.observer && event != "leave-session":
		return nil, errorf(CodeForbidden, "%s: observers may not send it", event)
	}
	return p, nil
}

// relay forwards offer, answer and ice-candidate to the other peers of the
// session, or, in an agent session, hands offers and candidates to the
// Agent.
func (s *Server) relay(event string) handler {
	return func(c member, m message) *Error {
		p, e := s.authorize(c, event, m)
		if e != nil {
			return e
		}
		if p.agent {
			switch event {
			case "offer":
				ctx, cancel := context.WithTimeout(context.Background(), s.opts.lookupTimeout)
				defer cancel()
				return s.agentError(event, s.opts.agent.Offer(ctx, s.agentPeer(c, p), m.Value.(map[string]any)))
			case "ice-candidate":
				return s.agentError(event, s.opts.agent.Candidate(s.agentPeer(c, p), m.Value.(map[string]any)))
			}
		}
		s.toRoom(m.SessionID, c.ID(), event, map[string]any{"peerId": m.PeerID, m.Field: m.Value})
		return nil
	}
}

// audioData takes a client's audio-data event: the Agent's input in an
// agent session, relayed to the other peers otherwise.
func (s *Server) audioData(c member, m message) *Error {
	p, e := s.authorize(c, "audio-data", m)
	if e != nil {
		return e
	}
	a := m.Value.(AudioData)
	if e := p.checkAudioRate(a.PCM.Rate, time.Now()); e != nil {
		return e
	}
	if p.agent {
		return s.agentError("audio-data", s.opts.agent.Audio(s.agentPeer(c, p), a))
	}
	s.toRoom(m.SessionID, c.ID(), "audio-data", a.relayed(m.PeerID))
	return nil
}

func (s *Server) leave(c member, m message) *Error {
	if _, e := s.authorize(c, "leave-session", m); e != nil {
		return e
	}
	p := s.forget(c.ID(), true)
	if p == nil {
		return nil
	}
	if p.agent {
		s.opts.agent.Leave(s.agentPeer(c, p), false)
	}
	s.toRoom(m.SessionID, c.ID(), "peer-left", map[string]any{"peerId": m.PeerID})
	c.exit(m.SessionID)
	s.log.Info("peer left", "session", m.SessionID, "peer", m.PeerID)
	return nil
}

func (s *Server) onDisconnect(c member, reason any) {
	p := s.forget(c.ID(), false)
	if p == nil {
		return
	}
	if _, local := c.(localMember); local && s.recoverable(reason) {
		s.awaitRecovery(c.ID(), p)
	}
	if p.agent {
		s.opts.agent.Leave(s.agentPeer(c, p), true)
	}
	s.toRoom(p.sessionID, c.ID(), "peer-disconnected", map[string]any{"peerId": p.peerID})
	s.log.Info("peer disconnected", "session", p.sessionID, "peer", p.peerID)
}

// forget drops the socket's membership and returns it (nil if none). A
// caller's seat waits for it to come back, unless release (it left).
func (s *Server) forget(id socket.SocketId, release bool) *peer {
	s.mu.Lock()
	defer s.mu.Unlock()
	p := s.joined[id]
	if p == nil {
		return nil
	}
	delete(s.joined, id)
	if p.caller {
		s.dropSeat(p.sessionID, id, release)
	}
	if room := s.rooms[p.sessionID]; room != nil {
		if room[p.peerID] == id {
			delete(room, p.peerID)
		}
		if len(room) == 0 {
			delete(s.rooms, p.sessionID)
		}
	}
	return p
}
