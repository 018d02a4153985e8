package signaling

import (
	"sync"
	"time"

	"github.com/zishang520/socket.io/parsers/engine/v3/packet"
	"github.com/zishang520/socket.io/servers/engine/v3"
	"github.com/zishang520/socket.io/servers/socket/v3"
)

// WithRateLimit bounds what one connection may send: events packets per
// second and bytes per second, each with bursts of twice that (the byte
// burst holds at least one message of the largest payload). A connection
// sending more gets an `error` event RATE_LIMITED and is disconnected. 0
// turns a limit off; both are off by default.
func WithRateLimit(events, bytes int) Option {
	return func(o *options) { o.eventRate, o.byteRate = events, bytes }
}

// bucket is a token bucket: rate tokens a second, up to burst.
type bucket struct {
	rate, burst, tokens float64
	last                time.Time
}

func newBucket(rate, burst float64, now time.Time) *bucket {
	return &bucket{rate: rate, burst: burst, tokens: burst, last: now}
}

// take takes n tokens if there are as many.
func (b *bucket) take(n float64, now time.Time) bool {
	if b == nil {
		return true
	}
	if d := now.Sub(b.last); d > 0 {
		b.tokens = min(b.burst, b.tokens+d.Seconds()*b.rate)
		b.last = now
	}
	if n > b.tokens {
		return false
	}
	b.tokens -= n
	return true
}

// limiter holds the buckets of one connection. Once exceeded it stays
// exceeded: the connection is being closed.
type limiter struct {
	mu      sync.Mutex
	events  *bucket
	bytes   *bucket
	tripped bool
}

// newLimiter returns the limiter of a connection, or nil when both limits
// are off.
func newLimiter(eventRate, byteRate int, maxPayload int64, now time.Time) *limiter {
	if eventRate <= 0 && byteRate <= 0 {
		return nil
	}
	l := &limiter{}
	if eventRate > 0 {
		l.events = newBucket(float64(eventRate), 2*float64(eventRate), now)
	}
	if byteRate > 0 {
		l.bytes = newBucket(float64(byteRate), max(2*float64(byteRate), float64(maxPayload)), now)
	}
	return l
}

// allow counts a packet of n bytes; false the first time the connection
// goes over a limit, and never again after that.
func (l *limiter) allow(n int, now time.Time) (ok, first bool) {
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.tripped {
		return false, false
	}
	// Both buckets are charged only when both allow the packet.
	if !l.events.take(1, now) {
		l.tripped = true
		return false, true
	}
	if !l.bytes.take(float64(n), now) {
		l.tripped = true
		return false, true
	}
	return true, false
}

// packetLen is the size of an Engine.IO packet's data, without reading it.
func packetLen(p *packet.Packet) int {
	if p == nil || p.Data == nil {
		return 0
	}
	if l, ok := p.Data.(interface{ Len() int }); ok {
		return l.Len()
	}
	return 0
}

// over reports whether the connection went over its limits; its events
// are then ignored until it is closed.
func (l *limiter) over() bool {
	if l == nil {
		return false
	}
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.tripped
}

// limitConn counts every packet an Engine.IO connection receives, before
// Socket.IO decodes it, whatever namespace it is for, and cuts the
// connection off once it sends too much.
func (s *Server) limitConn(conn engine.Socket) {
	l := newLimiter(s.opts.eventRate, s.opts.byteRate, s.opts.maxPayload, time.Now())
	if l == nil || conn == nil {
		return
	}
	id := conn.Id()
	s.limiters.Store(id, l)
	_ = conn.Once("close", func(...any) { s.limiters.Delete(id) })
	_ = conn.On("packet", func(args ...any) {
		p, _ := first[*packet.Packet](args)
		if ok, first := l.allow(packetLen(p), time.Now()); ok || !first {
			return
		}
		s.kick(conn)
	})
}

// connLimiter returns the limiter of c's connection, or nil.
func (s *Server) connLimiter(c *socket.Socket) *limiter {
	conn := c.Conn()
	if conn == nil {
		return nil
	}
	if l, ok := s.limiters.Load(conn.Id()); ok {
		return l.(*limiter)
	}
	return nil
}

// kickGrace is how long a connection over its limits lingers, ignored,
// for the error telling it so to be written: closing a transport drops
// what it has not written yet.
const kickGrace = 200 * time.Millisecond

// kick tells the /signaling socket of conn, if any, that it sent too much,
// and closes conn a moment later.
func (s *Server) kick(conn engine.Socket) {
	s.log.Warn("signaling client over its rate limit, disconnected", "conn", conn.Id(), "addr", conn.RemoteAddress(),
		"event_rate", s.opts.eventRate, "byte_rate", s.opts.byteRate)
	var sock *socket.Socket
	s.io.Of(Namespace, nil).Sockets().Range(func(_ socket.SocketId, c *socket.Socket) bool {
		if c.Conn() == conn {
			sock = c
			return false
		}
		return true
	})
	if sock != nil {
		_ = sock.Emit("error", errorf(CodeRateLimited, "more than %d events or %d bytes a second; disconnected", s.opts.eventRate, s.opts.byteRate).payload())
	}
	time.AfterFunc(kickGrace, func() {
		defer func() {
			if r := recover(); r != nil {
				s.log.Error("signaling rate limit panic", "panic", r)
			}
		}()
		if sock != nil {
			sock.Disconnect(true)
		}
		conn.Close(true)
	})
}
