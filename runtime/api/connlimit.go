package api

import (
	"encoding/json"
	"fmt"
	"net"
	"net/netip"
	"sync"
	"time"
)

// LimitConns wraps ln so that one client IP holds at most max open
// connections (0: no limit); trusted proxies (their clients are behind one
// address) are not counted. A connection over the limit is closed at once,
// after a 429 in the error envelope when plain is true (HTTP without TLS:
// the listener sits below TLS, where nothing readable can be written).
func LimitConns(ln net.Listener, max int, trusted []netip.Prefix, plain bool) net.Listener {
	if max <= 0 {
		return ln
	}
	return &connLimiter{Listener: ln, max: max, trusted: proxies(trusted), plain: plain, open: map[netip.Addr]int{}}
}

type connLimiter struct {
	net.Listener
	max     int
	trusted proxies
	plain   bool

	mu   sync.Mutex
	open map[netip.Addr]int
}

// tooManyConns is the whole response to a connection over the limit.
var tooManyConns = func() []byte {
	body, _ := json.Marshal(envelope{Error: &errorBody{Code: CodeTooManyConns, Message: "too many open connections from this address; close some and try again"}})
	return fmt.Appendf(nil, "HTTP/1.1 429 Too Many Requests\r\nContent-Type: application/json\r\nContent-Length: %d\r\nConnection: close\r\n\r\n%s", len(body), body)
}()

// Accept returns the next connection within the limit.
func (l *connLimiter) Accept() (net.Conn, error) {
	for {
		c, err := l.Listener.Accept()
		if err != nil {
			return nil, err
		}
		ap, _ := netip.ParseAddrPort(c.RemoteAddr().String())
		ip := ap.Addr().Unmap()
		if l.trusted.trusted(ip) {
			return c, nil
		}
		l.mu.Lock()
		if l.open[ip] >= l.max {
			l.mu.Unlock()
			if l.plain {
				_ = c.SetWriteDeadline(time.Now().Add(100 * time.Millisecond))
				_, _ = c.Write(tooManyConns)
			}
			_ = c.Close()
			continue
		}
		l.open[ip]++
		l.mu.Unlock()
		return &countedConn{Conn: c, release: func() { l.release(ip) }}, nil
	}
}

func (l *connLimiter) release(ip netip.Addr) {
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.open[ip]--; l.open[ip] <= 0 {
		delete(l.open, ip)
	}
}

// countedConn gives its place back once, on its first Close.
type countedConn struct {
	net.Conn
	once    sync.Once
	release func()
}

func (c *countedConn) Close() error {
	c.once.Do(c.release)
	return c.Conn.Close()
}
