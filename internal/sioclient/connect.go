// Package sioclient connects the Go Socket.IO client (socket.io
// clients/socket v3.0.6) to a runtime's /signaling namespace over a
// websocket, around that version's races. The shared loopback caller
// (internal/caller) uses it, for the Go tests and the load generators.
package sioclient

import (
	"context"
	"fmt"
	"net/http"
	"time"

	sio "github.com/zishang520/socket.io/clients/socket/v3"
	"github.com/zishang520/socket.io/v3/pkg/types"
)

// Three races in clients/socket + clients/engine v3.0.6 shape Connect
// (found with the race detector; a Node socket.io-client against the same
// server shows none of them). They are the Go client's own, not the
// server's: the server-side losses (a namespace event read before the
// socket is recorded, a polling connection closed mid-upgrade) are fixed
// in runtime/signaling and checked with the official client by
// test/signaling/burst.test.mjs.
//
//   - Socket.Connect subscribes to the Manager's "open", opens the Manager,
//     then sends CONNECT itself if the Manager is open by then: when the
//     handshake completes in between, the namespace CONNECT goes out twice
//     and the server drops the connection ("invalid state"). So the Manager
//     is opened, and waited for, before the namespace socket exists.
//   - Manager.Open starts the transport inside engine.NewSocket, before it
//     subscribes to the engine's "open": when the handshake wins, "open" is
//     never seen and the Manager stays "opening" for good. The library
//     offers no way to subscribe first, and emitting "open" again could run
//     the Manager's onopen twice (every packet then decoded twice), so a
//     Manager whose engine has been open for managerOpenGrace without
//     telling it is closed and a new one opened. Nothing of Socket.IO has
//     been sent at that point (only the Engine.IO handshake), so this
//     cannot hide a lost event; Connect reports how often it happened.
//   - Manager.Open arms its connect timer's cancellation after the "open"
//     subscription: when "open" fires in between, the timer survives and
//     closes the connection when it expires (20 s by default), mid-call. So
//     the Manager timeout is set out of reach.
//
// And Socket.Emit buffers (for good, once connected) while the engine's
// ping deadline is unset, which it is until just after the handshake, so
// Connect returns only once it is set.
const managerTimeout = 24 * time.Hour

// managerOpenGrace is how long an open engine may go unnoticed by its
// Manager before Connect gives up on that Manager (the Manager hears of
// it synchronously, microseconds after, when it does).
const managerOpenGrace = time.Second

// maxReopens bounds the Managers Connect opens again.
const maxReopens = 5

// Connect connects, until ctx ends, to base's /signaling namespace. setup,
// if not nil, is called with the namespace socket before it connects, to
// register handlers: events sent right after the connection would
// otherwise be missed. On an error nothing is left open.
func Connect(ctx context.Context, base string, setup func(*sio.Socket)) (*sio.Socket, error) {
	sock, _, err := ConnectCounted(ctx, base, nil, setup)
	return sock, err
}

// ConnectCounted is Connect that also says how many Managers were opened
// again because the client library missed its engine's "open". header,
// if not nil, goes with the websocket handshake (a load balancer's
// stickiness cookie).
func ConnectCounted(ctx context.Context, base string, header http.Header, setup func(*sio.Socket)) (*sio.Socket, int, error) {
	opts := sio.DefaultOptions()
	if header != nil {
		opts.SetExtraHeaders(header)
	}
	opts.SetTransports(types.NewSet(sio.WebSocket))
	opts.SetReconnection(false)
	opts.SetTimeout(managerTimeout)
	opts.SetAutoConnect(false)
	m, reopened, err := openManager(ctx, base, opts)
	if err != nil {
		return nil, reopened, err
	}
	sock := m.Socket("/signaling", opts)
	connected := make(chan error, 1)
	_ = sock.On("connect", func(...any) {
		select {
		case connected <- nil:
		default:
		}
	})
	_ = sock.On("connect_error", func(args ...any) {
		select {
		case connected <- fmt.Errorf("socket.io connect: %v", args):
		default:
		}
	})
	if setup != nil {
		setup(sock)
	}
	sock.Connect()
	select {
	case err := <-connected:
		if err != nil {
			sock.Disconnect()
			return nil, reopened, err
		}
	case <-ctx.Done():
		sock.Disconnect()
		return nil, reopened, fmt.Errorf("socket.io connect: %w", ctx.Err())
	}
	for e := m.Engine(); e != nil && e.HasPingExpired(); {
		if ctx.Err() != nil {
			sock.Disconnect()
			return nil, reopened, fmt.Errorf("socket.io: no ping deadline: %w", ctx.Err())
		}
		time.Sleep(time.Millisecond)
	}
	return sock, reopened, nil
}

// openManager opens a Manager (the Engine.IO connection), opening a new
// one when the library missed its engine's "open" (see above).
func openManager(ctx context.Context, base string, opts sio.OptionsInterface) (*sio.Manager, int, error) {
	for reopened := 0; ; reopened++ {
		m := sio.NewManager(base, opts)
		opened := make(chan error, 1)
		m.Open(func(err error) { opened <- err })
		missed, err := awaitOpen(ctx, m, opened)
		if !missed {
			return m, reopened, err
		}
		if e := m.Engine(); e != nil {
			e.Close()
		}
		if reopened == maxReopens {
			return nil, reopened, fmt.Errorf("socket.io open: the client missed its engine's open %d times", reopened+1)
		}
	}
}

// awaitOpen waits for m's open callback; missed is true when the engine
// has been open for managerOpenGrace without it.
func awaitOpen(ctx context.Context, m *sio.Manager, opened <-chan error) (missed bool, err error) {
	tick := time.NewTicker(10 * time.Millisecond)
	defer tick.Stop()
	var openSince time.Time
	for {
		select {
		case err := <-opened:
			if err != nil {
				return false, fmt.Errorf("socket.io open: %w", err)
			}
			return false, nil
		case <-ctx.Done():
			if e := m.Engine(); e != nil {
				e.Close()
			}
			return false, fmt.Errorf("socket.io open: %w", ctx.Err())
		case now := <-tick.C:
			e := m.Engine()
			if e == nil || e.ReadyState() != "open" {
				continue
			}
			if openSince.IsZero() {
				openSince = now
			} else if now.Sub(openSince) >= managerOpenGrace {
				return true, nil
			}
		}
	}
}
