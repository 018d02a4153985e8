package signaling

import (
	"bufio"
	"errors"
	"net"
	"net/http"
	"sync"

	"github.com/valyala/fasthttp"
)

// Engine.IO upgrades websockets by hijacking the connection inside its
// net/http handler, which Fiber's adaptor runs inside a fasthttp handler.
// When Engine.IO refuses the upgrade after the hijack (a second websocket
// for a session that is already upgrading or upgraded, or one whose
// session has just closed) it closes the hijacked connection before the
// handler returns; fasthttp v1.54.0 (Server.serveConn) then sets a write
// deadline on that closed connection and panics ("BUG: error in
// SetWriteDeadline"), which no recover of ours can catch: it takes the
// whole runtime down whenever a write timeout is configured. A client only
// has to open two websockets with the same sid. So a hijacked connection's
// Close is held until fasthttp hands the connection over (its hijack
// handler runs after the write deadline is set), and done then.

// hijackWriter is the http.ResponseWriter Engine.IO gets: the adaptor's,
// with a Hijack whose connection closes only once fasthttp is done with
// it.
type hijackWriter struct {
	http.ResponseWriter
	ctx *fasthttp.RequestCtx
}

// Hijack takes over the connection like the adaptor's Hijack, and then
// replaces the adaptor's fasthttp hijack handler with one that also
// performs a Close asked for while the handler still ran.
func (w hijackWriter) Hijack() (net.Conn, *bufio.ReadWriter, error) {
	hj, ok := w.ResponseWriter.(http.Hijacker)
	if !ok {
		return nil, nil, errors.New("signaling: the response writer cannot hijack")
	}
	conn, rw, err := hj.Hijack()
	if err != nil {
		return nil, nil, err
	}
	h := &heldConn{Conn: conn, closed: make(chan struct{})}
	w.ctx.Hijack(h.handOver)
	return h, rw, nil
}

// Unwrap returns the adaptor's writer (for http.ResponseController).
func (w hijackWriter) Unwrap() http.ResponseWriter { return w.ResponseWriter }

// heldConn is a hijacked connection whose Close waits for fasthttp's
// hand-over.
type heldConn struct {
	net.Conn // the adaptor's connection: its Close closes the socket and ends the adaptor's wait

	mu        sync.Mutex
	handed    bool // fasthttp has set its deadlines and called handOver
	closeWish bool // Close was called before that
	closeOnce sync.Once
	closed    chan struct{}
}

// Close closes the connection, or, before fasthttp has handed it over,
// marks it to be closed then. It is safe to call more than once.
func (c *heldConn) Close() error {
	c.mu.Lock()
	if !c.handed {
		c.closeWish = true
		c.mu.Unlock()
		return nil
	}
	c.mu.Unlock()
	return c.closeNow()
}

func (c *heldConn) closeNow() error {
	var err error
	c.closeOnce.Do(func() {
		err = c.Conn.Close()
		close(c.closed)
	})
	return err
}

// handOver is the fasthttp hijack handler: fasthttp closes the connection
// when it returns, so it returns only once the connection was closed.
func (c *heldConn) handOver(net.Conn) {
	c.mu.Lock()
	c.handed = true
	wish := c.closeWish
	c.mu.Unlock()
	if wish {
		_ = c.closeNow()
	}
	<-c.closed
}
