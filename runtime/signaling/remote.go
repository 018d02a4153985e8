package signaling

import (
	"context"
	"encoding/json"
	"errors"
	"sync"
	"time"

	"github.com/zishang520/socket.io/servers/socket/v3"

	"github.com/parleyhq/parley/runtime/bus"
)

// Signaling across instances. A session is held by the instance that owns
// its call (Session.Owner): its rooms, seat and agent peer live there. A
// client whose socket another instance (its edge) holds joins through it:
// the edge checks the credential, then forwards the join and every later
// event of that socket to the owner as a bus request, one at a time, and
// answers the client's ack with the owner's answer. To the owner such a
// socket is a remoteMember, which it treats like its own sockets; what it
// sends one goes back to the edge, which emits it on the socket. So
// person-to-person sessions whose peers are on different instances relay
// through the owner, and an agent call's media goes straight to the
// owner's ICE candidates. Subjects, per instance:
//
//	parley.signal.<instance>.in    requests to the owner: a socket's event
//	parley.signal.<instance>.out   deliveries to the edge: emit on a socket
//	parley.signal.<instance>.ping  is this instance alive?
//
// Each side pings the instances it depends on every pingEvery; two pings
// in a row that nobody answers (the instance's connection to the bus is
// gone) mean it is lost: an owner drops the members of a lost edge as
// disconnected, an edge tells its sockets their session's instance is lost.

// CodeInstanceLost is the error of an event whose session's instance
// (the one holding its call) stopped.
const CodeInstanceLost = "INSTANCE_LOST"

const (
	// pingEvery is how often instances that depend on each other ping.
	pingEvery = 2 * time.Second
	// lostAfter is how many unanswered pings in a row make an instance
	// lost.
	lostAfter = 2
	// maxRemoteInFlight bounds the forwarded events an owner handles at
	// once; more are refused (BUSY) rather than queued.
	maxRemoteInFlight = 512
	// envelopeOverhead is what a forwarded event may carry beyond the
	// largest client message (its envelope).
	envelopeOverhead = 4 << 10
)

// WithBus makes the server one of several instances sharing sessions over
// b; instance is this instance's id (its calls' Session.Owner).
func WithBus(b *bus.Bus, instance string) Option {
	return func(o *options) { o.bus, o.instance = b, instance }
}

// remote is the cross-instance side of a Server.
type remote struct {
	bus  *bus.Bus
	self string
	sem  chan struct{}
	wg   sync.WaitGroup // forwarded events being handled, and the pinger
	// closing is set by close before it waits: no handler starts after
	// (a WaitGroup may not grow from zero while it is waited on).
	mu      sync.Mutex
	closing bool
	stop    chan struct{}
	subs    []func()
	// proxies are this instance's sockets joined to sessions another
	// instance holds, by socket id; guarded by Server.mu.
	proxies map[socket.SocketId]*proxy
	// misses counts each instance's unanswered pings in a row (pinger
	// only).
	misses map[string]int
}

// proxy is a local socket whose session another instance holds.
type proxy struct {
	mu    sync.Mutex // one forwarded event at a time, in the socket's order
	owner string
	lost  bool // the owner was lost (under mu)
}

// envelope is a forwarded event: socket (an id on edge) sent event with
// data (its payload as JSON); "disconnect" says the socket is gone.
type envelope struct {
	Edge   string          `json:"edge"`
	Socket string          `json:"socket"`
	Event  string          `json:"event"`
	Data   json.RawMessage `json:"data,omitempty"`
}

// answer is the owner's answer to a forwarded event.
type answer struct {
	Error *Error `json:"error,omitempty"`
}

// delivery is an event for an edge to emit on one of its sockets.
type delivery struct {
	Socket  string         `json:"socket"`
	Event   string         `json:"event"`
	Payload map[string]any `json:"payload"`
}

// eventDisconnect is the envelope event of a socket that disconnected.
const eventDisconnect = "disconnect"

// subject is the bus subject of kind (in, out, ping) for instance.
func subject(instance, kind string) string { return bus.Subject("signal", instance, kind) }

// startRemote subscribes to this instance's subjects and starts the
// pinger; Close stops them.
func (s *Server) startRemote() error {
	r := &remote{
		bus: s.opts.bus, self: s.opts.instance, sem: make(chan struct{}, maxRemoteInFlight),
		stop: make(chan struct{}), proxies: map[socket.SocketId]*proxy{}, misses: map[string]int{},
	}
	for kind, fn := range map[string]func(bus.Msg){"in": s.serveIn, "out": s.serveOut, "ping": func(m bus.Msg) { _ = m.Respond(nil) }} {
		unsub, err := r.bus.Subscribe(subject(r.self, kind), fn)
		if err != nil {
			r.close()
			return err
		}
		r.subs = append(r.subs, unsub)
	}
	s.remote = r
	r.wg.Add(1)
	go s.pinger()
	return nil
}

// close stops what startRemote started and waits for forwarded events
// being handled.
func (r *remote) close() {
	r.mu.Lock()
	r.closing = true
	r.mu.Unlock()
	for _, unsub := range r.subs {
		unsub()
	}
	select {
	case <-r.stop:
	default:
		close(r.stop)
	}
	r.wg.Wait()
}

// start counts a handler in, unless close has begun.
func (r *remote) start() bool {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.closing {
		return false
	}
	r.wg.Add(1)
	return true
}

// --- the edge: this instance holds the socket ---

// proxyOf returns the proxy of socket id, nil if its session is not held
// elsewhere.
func (s *Server) proxyOf(id socket.SocketId) *proxy {
	if s.remote == nil {
		return nil
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.remote.proxies[id]
}

// dropProxy forgets and returns the proxy of socket id (nil if none).
func (s *Server) dropProxy(id socket.SocketId) *proxy {
	if s.remote == nil {
		return nil
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	px := s.remote.proxies[id]
	delete(s.remote.proxies, id)
	return px
}

// joinRemote forwards c's join of a session that owner holds. The
// credential was checked here; it is not forwarded.
func (s *Server) joinRemote(c *socket.Socket, m message, owner string) *Error {
	s.mu.Lock()
	if p := s.joined[c.Id()]; p != nil {
		s.mu.Unlock()
		return errorf(CodeAlreadyJoined, "this connection already joined session %q as %q; leave it first", p.sessionID, p.peerID)
	}
	px := s.remote.proxies[c.Id()]
	created := px == nil
	if created {
		px = &proxy{owner: owner}
		s.remote.proxies[c.Id()] = px
	}
	s.mu.Unlock()
	e := s.forward(px, c.Id(), "join-session", joinWire(m))
	if e != nil && created {
		s.mu.Lock()
		if s.remote.proxies[c.Id()] == px {
			delete(s.remote.proxies, c.Id())
		}
		s.mu.Unlock()
		return e
	}
	if !c.Connected() { // gone while the owner answered: its disconnect may have missed the proxy
		if px := s.dropProxy(c.Id()); px != nil {
			s.forwardDisconnect(px, c.Id())
		}
	}
	return e
}

// joinWire is a join-session payload as forwarded: without the credential.
func joinWire(m message) map[string]any {
	w := map[string]any{"sessionId": m.SessionID, "peerId": m.PeerID}
	if m.Observer {
		w["observer"] = true
	}
	if m.Resume != "" {
		w["resumeToken"] = m.Resume
	}
	return w
}

// forward sends socket id's event (payload arg) to the owner of px and
// returns the owner's answer.
func (s *Server) forward(px *proxy, id socket.SocketId, event string, arg any) *Error {
	if event == "join-session" {
		if obj, ok := arg.(map[string]any); ok {
			if m, e := parseMessage(event, []any{obj}); e == nil {
				arg = joinWire(m)
			}
		}
	}
	data, err := json.Marshal(arg)
	if err != nil {
		return errorf(CodeInvalidPayload, "%s: %v", event, err)
	}
	px.mu.Lock()
	defer px.mu.Unlock()
	if px.lost {
		return errorf(CodeInstanceLost, "%s: the instance holding this session stopped; the call is over", event)
	}
	e := s.request(px.owner, envelope{Edge: s.remote.self, Socket: string(id), Event: event, Data: data})
	if e == nil && event == "leave-session" {
		s.mu.Lock()
		if s.remote.proxies[id] == px {
			delete(s.remote.proxies, id)
		}
		s.mu.Unlock()
	}
	return e
}

// forwardDisconnect tells the owner of px that socket id is gone.
func (s *Server) forwardDisconnect(px *proxy, id socket.SocketId) {
	px.mu.Lock()
	defer px.mu.Unlock()
	if px.lost {
		return
	}
	if e := s.request(px.owner, envelope{Edge: s.remote.self, Socket: string(id), Event: eventDisconnect}); e != nil {
		s.log.Warn("disconnect not forwarded", "owner", px.owner, "socket", id, "err", e)
	}
}

// request sends env to owner and returns its answer.
func (s *Server) request(owner string, env envelope) *Error {
	data, err := json.Marshal(env)
	if err != nil {
		return errorf(CodeInternal, "%s failed", env.Event)
	}
	ctx, cancel := context.WithTimeout(context.Background(), s.opts.lookupTimeout)
	defer cancel()
	raw, err := s.remote.bus.Request(ctx, subject(owner, "in"), data)
	switch {
	case errors.Is(err, bus.ErrUnreachable):
		return errorf(CodeInstanceLost, "%s: the instance holding this session (%s) is not running", env.Event, owner)
	case err != nil:
		s.log.Error("forward failed", "event", env.Event, "owner", owner, "err", err)
		return errorf(CodeInternal, "%s: the instance holding this session did not answer", env.Event)
	}
	var a answer
	if err := json.Unmarshal(raw, &a); err != nil {
		s.log.Error("bad answer from owner", "event", env.Event, "owner", owner, "err", err)
		return errorf(CodeInternal, "%s failed", env.Event)
	}
	return a.Error
}

// serveOut emits a delivery from a session's owner on the socket it names.
// Through the socket's own room, so that with connection state recovery a
// socket that is away gets it when it comes back.
func (s *Server) serveOut(m bus.Msg) {
	var d delivery
	if err := json.Unmarshal(m.Data, &d); err != nil || d.Socket == "" || d.Event == "" {
		s.log.Warn("bad delivery on the bus", "err", err)
		return
	}
	_ = s.io.Of(Namespace, nil).To(socket.Room(d.Socket)).Emit(d.Event, d.Payload)
}

// --- the owner: this instance holds the session ---

// remoteMember is a socket another instance (edge) holds, joined to a
// session this instance holds.
type remoteMember struct {
	s      *Server
	edge   string
	socket string // its id on edge
	mu     sync.Mutex
	gone   bool
}

func (r *remoteMember) ID() socket.SocketId { return socket.SocketId(r.edge + "/" + r.socket) }
func (r *remoteMember) enter(string)        {}
func (r *remoteMember) exit(string)         {}

// Connected reports whether the edge has not said it is gone.
func (r *remoteMember) Connected() bool {
	r.mu.Lock()
	defer r.mu.Unlock()
	return !r.gone
}

func (r *remoteMember) setGone() {
	r.mu.Lock()
	r.gone = true
	r.mu.Unlock()
}

// Emit sends event to the socket through its edge; it does not wait.
func (r *remoteMember) Emit(event string, payload map[string]any) {
	data, err := json.Marshal(delivery{Socket: r.socket, Event: event, Payload: payload})
	if err == nil {
		err = r.s.remote.bus.Publish(subject(r.edge, "out"), data)
	}
	if err != nil {
		r.s.log.Warn("event for a remote socket not sent", "edge", r.edge, "event", event, "err", err)
	}
}

// serveIn takes a forwarded event and answers it once handled, on its own
// goroutine: the edge sends a socket's events one at a time, so they are
// handled in order, and one socket's slow offer holds up no other.
func (s *Server) serveIn(m bus.Msg) {
	var env envelope
	if err := json.Unmarshal(m.Data, &env); err != nil || env.Edge == "" || env.Socket == "" || env.Edge == s.remote.self {
		s.log.Warn("bad forwarded event on the bus", "err", err)
		_ = respond(m, errorf(CodeInvalidPayload, "bad forwarded event"))
		return
	}
	select {
	case s.remote.sem <- struct{}{}:
	default:
		_ = respond(m, errorf(CodeBusy, "%s: this instance is handling too many forwarded events; try again", env.Event))
		return
	}
	if !s.remote.start() {
		<-s.remote.sem
		_ = respond(m, errorf(CodeInstanceLost, "%s: this instance is shutting down", env.Event))
		return
	}
	go func() {
		defer s.remote.wg.Done()
		defer func() { <-s.remote.sem }()
		defer func() {
			if r := recover(); r != nil {
				s.log.Error("forwarded event panic", "event", env.Event, "panic", r)
				_ = respond(m, errorf(CodeInternal, "%s failed", env.Event))
			}
		}()
		if err := respond(m, s.handleRemote(env)); err != nil {
			s.log.Warn("answer to a forwarded event not sent", "event", env.Event, "err", err)
		}
	}()
}

func respond(m bus.Msg, e *Error) error {
	data, err := json.Marshal(answer{Error: e})
	if err != nil {
		return err
	}
	return m.Respond(data)
}

// handleRemote handles a forwarded event as the same handlers handle a
// local socket's.
func (s *Server) handleRemote(env envelope) *Error {
	id := socket.SocketId(env.Edge + "/" + env.Socket)
	s.mu.Lock()
	var c member
	if p := s.joined[id]; p != nil {
		c = p.conn
	}
	s.mu.Unlock()
	if env.Event == eventDisconnect {
		if c != nil {
			c.(*remoteMember).setGone()
			s.onDisconnect(c, "transport close")
		}
		return nil
	}
	if c == nil {
		c = &remoteMember{s: s, edge: env.Edge, socket: env.Socket}
	}
	fn := s.handlers[env.Event]
	if fn == nil {
		return errorf(CodeInvalidPayload, "unknown event %q", env.Event)
	}
	if len(env.Data) > int(s.opts.maxPayload)+envelopeOverhead {
		return errorf(CodeInvalidPayload, "%s: payload too large", env.Event)
	}
	var arg any
	if err := json.Unmarshal(env.Data, &arg); err != nil {
		return errorf(CodeInvalidPayload, "%s: %v", env.Event, err)
	}
	m, e := parseMessage(env.Event, []any{arg})
	if e != nil {
		return e
	}
	return fn(c, m)
}

// --- liveness ---

// pinger pings, every pingEvery, the edges of this instance's remote
// members and the owners of its proxies, and deals with the lost ones.
func (s *Server) pinger() {
	defer s.remote.wg.Done()
	t := time.NewTicker(pingEvery)
	defer t.Stop()
	for {
		select {
		case <-s.remote.stop:
			return
		case <-t.C:
			s.pingAll()
		}
	}
}

func (s *Server) pingAll() {
	defer func() {
		if r := recover(); r != nil {
			s.log.Error("pinger panic", "panic", r)
		}
	}()
	r := s.remote
	for _, inst := range s.dependencies() {
		ctx, cancel := context.WithTimeout(context.Background(), pingEvery/2)
		_, err := r.bus.Request(ctx, subject(inst, "ping"), nil)
		cancel()
		if !errors.Is(err, bus.ErrUnreachable) {
			delete(r.misses, inst) // answered, or the bus itself is down: not its fault
			continue
		}
		if r.misses[inst]++; r.misses[inst] < lostAfter {
			continue
		}
		delete(r.misses, inst)
		s.log.Warn("instance lost: its sockets' sessions end here", "instance", inst)
		s.lost(inst)
	}
}

// dependencies returns the instances this one has members from or
// proxies to.
func (s *Server) dependencies() []string {
	s.mu.Lock()
	defer s.mu.Unlock()
	seen := map[string]bool{}
	var out []string
	add := func(inst string) {
		if !seen[inst] {
			seen[inst] = true
			out = append(out, inst)
		}
	}
	for _, p := range s.joined {
		if r, ok := p.conn.(*remoteMember); ok {
			add(r.edge)
		}
	}
	for _, px := range s.remote.proxies {
		add(px.owner)
	}
	return out
}

// lost drops the members inst held (as disconnected) and tells this
// instance's sockets whose sessions inst held that they are over.
func (s *Server) lost(inst string) {
	var members []member
	type orphan struct {
		id socket.SocketId
		px *proxy
	}
	var orphans []orphan
	s.mu.Lock()
	for _, p := range s.joined {
		if r, ok := p.conn.(*remoteMember); ok && r.edge == inst {
			members = append(members, r)
		}
	}
	for id, px := range s.remote.proxies {
		if px.owner == inst {
			orphans = append(orphans, orphan{id, px})
			delete(s.remote.proxies, id)
		}
	}
	s.mu.Unlock()
	for _, c := range members {
		c.(*remoteMember).setGone()
		s.onDisconnect(c, "edge lost")
	}
	nsp := s.io.Of(Namespace, nil)
	for _, o := range orphans {
		o.px.mu.Lock()
		o.px.lost = true
		o.px.mu.Unlock()
		e := errorf(CodeInstanceLost, "the instance holding this session (%s) stopped; the call is over", inst)
		_ = nsp.To(socket.Room(o.id)).Emit("error", e.payload())
	}
}
