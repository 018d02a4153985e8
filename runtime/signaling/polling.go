package signaling

import (
	"sync"

	"github.com/zishang520/socket.io/parsers/engine/v3/packet"
	"github.com/zishang520/socket.io/servers/engine/v3/transports"
	"github.com/zishang520/socket.io/v3/pkg/types"
)

// Upstream bug worked around here (github.com/zishang520/socket.io
// servers/engine v3.0.6, socket.MaybeUpgrade): while a long-polling
// client upgrades to a websocket, a timer sends a NOOP on the polling
// transport every 100 ms to release the pending poll request. It checks
// Writable() and calls Send() itself, outside the lock the engine socket
// takes around its own check and Send (socket.flush). When the server
// sends something at that moment (the CONNECT ack, joined-session, the
// agent's answer: just what a new call sends during its first second,
// which is when a browser upgrades), both see the transport writable and
// both queue a write for the one pending poll request; the second finds
// no request ("polling write error") and the server closes the whole
// connection. The browser, mid-upgrade, does not notice for a long time:
// its join-session or its offer is never answered. Found by
// test/signaling/burst.test.mjs: up to 8 of 200 original-client calls
// placed at once, before this fix. Socket.IO's JavaScript server runs the
// same code on one thread, where the two cannot interleave.
//
// pollingCtor builds the polling transport with a Send that claims the
// pending poll request atomically: a Send that finds the request already
// claimed drops a lone NOOP (the write under way releases the request
// anyway) and keeps anything else for the next poll request or, if the
// client upgrades first, for the websocket (handOver).
type pollingCtor struct{ transports.PollingBuilder }

// New wraps the library's polling (or JSONP) transport.
func (b *pollingCtor) New(ctx *types.HttpContext) transports.Transport {
	p := &pollingTransport{Transport: b.PollingBuilder.New(ctx)}
	// Registered before the engine socket's own "ready" listener (which
	// flushes its buffer), so what was kept goes out first.
	_ = p.On("ready", func(...any) { p.sendKept() })
	return p
}

// pollingTransport is a polling transport whose Send is safe to call from
// several goroutines.
type pollingTransport struct {
	transports.Transport

	mu   sync.Mutex
	kept []*packet.Packet // sent while the poll request was taken
	gone bool             // upgraded: kept packets went to the websocket
}

// Send writes packets to the pending poll request if no other write has
// claimed it, and otherwise keeps them (a lone NOOP is dropped).
func (p *pollingTransport) Send(packets []*packet.Packet) {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.Writable() {
		if len(p.kept) > 0 { // kept ones first, in order
			packets = append(p.kept, packets...)
			p.kept = nil
		}
		p.Transport.Send(packets) // marks the transport unwritable before it returns
		return
	}
	if len(packets) == 1 && packets[0].Type == packet.NOOP {
		return
	}
	if !p.gone {
		p.kept = append(p.kept, packets...)
	}
}

// sendKept writes what was kept to a new poll request.
func (p *pollingTransport) sendKept() {
	p.mu.Lock()
	defer p.mu.Unlock()
	if len(p.kept) == 0 || !p.Writable() {
		return
	}
	kept := p.kept
	p.kept = nil
	p.Transport.Send(kept)
}

// handOver sends what was kept on the transport the connection upgraded
// to; the polling transport is done.
func (p *pollingTransport) handOver(to transports.Transport) {
	p.mu.Lock()
	kept := p.kept
	p.kept = nil
	p.gone = true
	p.mu.Unlock()
	if len(kept) > 0 && to != nil {
		to.Send(kept)
	}
}

// upgradingConn is what handOverOnUpgrade needs of an Engine.IO
// connection (servers/engine/v3 Socket).
type upgradingConn interface {
	types.EventEmitter
	Transport() transports.Transport
}

// handOverOnUpgrade watches a new Engine.IO connection (the engine's
// "connection" event): when it upgrades from polling, what its polling
// transport kept goes to the new transport. The engine emits "upgrade"
// before it flushes its own buffer to the new transport.
func handOverOnUpgrade(args ...any) {
	conn, ok := first[upgradingConn](args)
	if !ok {
		return
	}
	p, ok := conn.Transport().(*pollingTransport)
	if !ok {
		return
	}
	_ = conn.Once("upgrade", func(args ...any) {
		to, _ := first[transports.Transport](args)
		p.handOver(to)
	})
}
