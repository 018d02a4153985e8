// Package sioclient connects the Go Socket.IO client (socket.io
// clients/socket v3.0.6) to a runtime's /signaling namespace over a
// websocket, around that version's races. The Go tests (internal/e2e) and
// the load generators (bench/internal/sigclient) use it.
package sioclient

import (
	"context"
	"fmt"
	"time"

	sio "github.com/zishang520/socket.io/clients/socket/v3"
	"github.com/zishang520/socket.io/v3/pkg/types"
)

// Three races in clients/socket + clients/engine v3.0.6 shape Connect
// (found with the race detector; a Node socket.io-client against the same
// server shows none of them):
//
//   - Socket.Connect subscribes to the Manager's "open", opens the Manager,
//     then sends CONNECT itself if the Manager is open by then: when the
//     handshake completes in between, the namespace CONNECT goes out twice
//     and the server drops the connection ("invalid state"). So the Manager
//     is opened, and waited for, before the namespace socket exists.
//   - Manager.Open opens the transport inside engine.NewSocket, before it
//     subscribes to the engine's "open": when the handshake wins, "open" is
//     never seen. The attempt times out here; callers retry.
//   - Manager.Open arms its connect timer's cancellation after the "open"
//     subscription: when "open" fires in between, the timer survives and
//     closes the connection when it expires (20 s by default), mid-call. So
//     the Manager timeout is set out of reach.
//
// And Socket.Emit buffers (for good, once connected) while the engine's
// ping deadline is unset, which it is until just after the handshake, so
// Connect returns only once it is set.
const managerTimeout = 24 * time.Hour

// Connect makes one attempt, until ctx ends, to connect to base's
// /signaling namespace. setup, if not nil, is called with the namespace
// socket before it connects, to register handlers: events sent right after
// the connection would otherwise be missed. On an error nothing is left
// open.
func Connect(ctx context.Context, base string, setup func(*sio.Socket)) (*sio.Socket, error) {
	opts := sio.DefaultOptions()
	opts.SetTransports(types.NewSet(sio.WebSocket))
	opts.SetReconnection(false)
	opts.SetTimeout(managerTimeout)
	opts.SetAutoConnect(false)
	m := sio.NewManager(base, opts)
	opened := make(chan error, 1)
	m.Open(func(err error) { opened <- err })
	select {
	case err := <-opened:
		if err != nil {
			return nil, fmt.Errorf("socket.io open: %w", err)
		}
	case <-ctx.Done():
		if e := m.Engine(); e != nil {
			e.Close()
		}
		return nil, fmt.Errorf("socket.io open: %w", ctx.Err())
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
			return nil, err
		}
	case <-ctx.Done():
		sock.Disconnect()
		return nil, fmt.Errorf("socket.io connect: %w", ctx.Err())
	}
	for e := m.Engine(); e != nil && e.HasPingExpired(); {
		if ctx.Err() != nil {
			sock.Disconnect()
			return nil, fmt.Errorf("socket.io: no ping deadline: %w", ctx.Err())
		}
		time.Sleep(time.Millisecond)
	}
	return sock, nil
}
