package signaling

import (
	"bytes"
	"log/slog"
	"sync"
	"time"

	"github.com/zishang520/socket.io/parsers/engine/v3/packet"
	"github.com/zishang520/socket.io/v3/pkg/types"
)

// Upstream bug worked around here (github.com/zishang520/socket.io
// servers/socket v3.0.6, namespace._doConnect): when a client connects to a
// namespace, the server writes the CONNECT ack (socket._onconnect) and only
// then records the namespace socket on its Client (the callback that
// stores Client.nsps). The ack is written by the transport's own
// goroutine, and the client's next packets are read by another, so a
// client that emits the moment it is connected (the official browser
// client flushes what it buffered, and the original example client emits
// join-session and offer, right after the ack) can have its first event
// read before the namespace socket is recorded. Client.ondecoded then
// finds no socket for the namespace, logs "invalid state" and closes the
// whole connection: the browser's join-session and offer are lost, and a
// browser does not send them again. Socket.IO's JavaScript server does the
// same two steps in that order, but on one thread, so there is no gap.
//
// The gate closes the gap without forking the library: Engine.IO emits a
// connection's "packet" event, on the goroutine that read the packet,
// before it hands the packet to the Socket.IO Client ("data"). From a
// CONNECT to Namespace until that namespace socket's "connection" event
// (which the library emits after recording the socket, and after which our
// handlers are registered), the gate holds every further packet of the
// connection on its reader, in order. Holding ends early if the server
// refuses the CONNECT (CONNECT_ERROR), the connection closes, or after
// connectHoldLimit.

// connectHoldLimit bounds how long a connection's packets are held waiting
// for its namespace socket (normally microseconds; a namespace middleware
// may take longer).
const connectHoldLimit = 10 * time.Second

// engineConn is what the gate needs of an Engine.IO connection
// (servers/engine/v3 Socket).
type engineConn interface {
	types.EventEmitter
	Id() string
}

// connectGate holds packets per Engine.IO connection; see above.
type connectGate struct {
	log   *slog.Logger
	limit time.Duration

	mu    sync.Mutex
	conns map[string]*gatedConn // Engine.IO id -> gate
}

// gatedConn is the gate of one Engine.IO connection.
type gatedConn struct {
	closed chan struct{} // the connection closed

	mu      sync.Mutex
	pending chan struct{} // non-nil from a CONNECT to Namespace until its socket is set up
}

func newConnectGate(log *slog.Logger, limit time.Duration) *connectGate {
	return &connectGate{log: log, limit: limit, conns: map[string]*gatedConn{}}
}

// watch gates a new Engine.IO connection (the engine's "connection"
// event). Engine.IO emits it before it reads any packet of the connection.
func (g *connectGate) watch(args ...any) {
	conn, ok := first[engineConn](args)
	if !ok {
		return
	}
	id := conn.Id()
	c := &gatedConn{closed: make(chan struct{})}
	g.mu.Lock()
	g.conns[id] = c
	g.mu.Unlock()
	_ = conn.Once("close", func(...any) {
		g.mu.Lock()
		if g.conns[id] == c {
			delete(g.conns, id)
		}
		g.mu.Unlock()
		close(c.closed)
	})
	_ = conn.On("packet", func(args ...any) { g.incoming(id, c, args) })
	_ = conn.On("packetCreate", func(args ...any) { c.outgoing(args) })
}

// incoming runs on the connection's reader before the Socket.IO Client
// sees the packet.
func (g *connectGate) incoming(id string, c *gatedConn, args []any) {
	p, ok := first[*packet.Packet](args)
	if !ok || p.Type != packet.MESSAGE {
		return
	}
	if typ, nsp, ok := header(p); ok && typ == '0' && nsp == Namespace {
		c.mu.Lock()
		if c.pending == nil {
			c.pending = make(chan struct{})
		}
		c.mu.Unlock()
		return
	}
	c.mu.Lock()
	wait := c.pending
	c.mu.Unlock()
	if wait == nil {
		return
	}
	t := time.NewTimer(g.limit)
	defer t.Stop()
	select {
	case <-wait:
	case <-c.closed:
	case <-t.C:
		c.open(wait)
		g.log.Warn("namespace connect not set up in time; passing the connection's packets on", "engine", id, "after", g.limit)
	}
}

// outgoing ends the hold when the server refuses the CONNECT.
func (c *gatedConn) outgoing(args []any) {
	p, ok := first[*packet.Packet](args)
	if !ok || p.Type != packet.MESSAGE {
		return
	}
	if typ, nsp, ok := header(p); ok && typ == '4' && nsp == Namespace {
		c.mu.Lock()
		wait := c.pending
		c.mu.Unlock()
		c.open(wait)
	}
}

// open ends the hold wait, if it is still the pending one.
func (c *gatedConn) open(wait chan struct{}) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if wait != nil && c.pending == wait {
		close(wait)
		c.pending = nil
	}
}

// connected ends the hold of the Engine.IO connection id: its namespace
// socket is recorded and its handlers are registered.
func (g *connectGate) connected(id string) {
	g.mu.Lock()
	c := g.conns[id]
	g.mu.Unlock()
	if c == nil {
		return
	}
	c.mu.Lock()
	wait := c.pending
	c.mu.Unlock()
	c.open(wait)
}

// header reads the type digit and namespace of a text Socket.IO packet
// ("0/signaling,{...}", "2/signaling,[...]", "51-/signaling,[...]",
// "2[...]" for "/") without consuming it. Binary frames are attachments,
// not headers: ok is false.
func header(p *packet.Packet) (typ byte, nsp string, ok bool) {
	buf, isText := p.Data.(*types.StringBuffer)
	if !isText {
		return 0, "", false
	}
	b := buf.Bytes()
	if len(b) == 0 {
		return 0, "", false
	}
	typ, b = b[0], b[1:]
	if i := bytes.IndexByte(b, '-'); i >= 0 && (typ == '5' || typ == '6') {
		b = b[i+1:]
	}
	if len(b) == 0 || b[0] != '/' {
		return typ, "/", true
	}
	if i := bytes.IndexByte(b, ','); i >= 0 {
		b = b[:i]
	}
	return typ, string(b), true
}
