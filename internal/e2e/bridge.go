package e2e

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"maps"
	"net/http"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/parleyhq/parley/internal/caller"
)

// Bridge is the official socket.io-client run by Node
// (test/signaling/bridge.mjs) carrying the signaling of callers whose
// WebRTC peers the test holds in Go: Dial with DialOptions.Via joins and
// offers through it. Each of its sockets opens as the original example
// client's does (long-polling, then the upgrade to websocket).
type Bridge struct {
	drv *Driver
	// done is closed once the script's output has ended.
	done chan struct{}

	mu      sync.Mutex // guards the script's stdin and what follows
	next    int
	sockets map[string]*bridged
	// transports counts the sockets' Engine.IO connections and upgrades
	// by transport ("open polling", "upgrade websocket").
	transports map[string]int
}

// bridged is one socket of the bridge.
type bridged struct {
	sig       *caller.Signal
	events    *Events
	record    map[string]bool // the event names events records
	connected chan error      // gets the connection's outcome, once
}

// StartBridge starts the bridge (installing test/signaling's packages),
// stopped when the test ends: it is given up to timeout in all.
func StartBridge(t testing.TB, timeout time.Duration) *Bridge {
	t.Helper()
	node := Node(t)
	dir := filepath.Join(Root(t), "test", "signaling")
	NPMCI(t, dir)
	b := &Bridge{
		drv:        StartDriver(t, node, dir, timeout, "bridge.mjs"),
		done:       make(chan struct{}),
		sockets:    map[string]*bridged{},
		transports: map[string]int{},
	}
	go b.read()
	t.Cleanup(func() {
		_ = b.drv.Stdin.Close() // the script disconnects everything and exits
		select {
		case <-b.done:
		case <-time.After(10 * time.Second):
			t.Errorf("the signaling bridge did not exit; its stderr:\n%s", b.drv.Stderr.Tail(20))
		}
	})
	return b
}

// line is one event line of the script.
type line struct {
	ID    string          `json:"id"`
	Event string          `json:"event"`
	Data  json.RawMessage `json:"data"`
}

// read hands every event the script prints to its socket, until the
// script's output ends; every socket still open then is disconnected.
func (b *Bridge) read() {
	defer close(b.done)
	for b.drv.Lines.Scan() {
		var l line
		if err := json.Unmarshal(b.drv.Lines.Bytes(), &l); err != nil {
			continue // not ours: the script prints nothing else
		}
		var data any
		if len(l.Data) > 0 {
			_ = json.Unmarshal(l.Data, &data)
		}
		b.mu.Lock()
		s := b.sockets[l.ID]
		switch l.Event {
		case "closed":
			delete(b.sockets, l.ID)
		case "open", "upgrade":
			b.transports[fmt.Sprint(l.Event, " ", data)]++
		}
		b.mu.Unlock()
		if s != nil {
			s.handle(l.Event, data)
		}
	}
	b.mu.Lock()
	left := b.sockets
	b.sockets = map[string]*bridged{}
	b.mu.Unlock()
	for _, s := range left {
		s.handle("connect_error", "the bridge exited")
		s.sig.Deliver("disconnect", "the bridge exited")
	}
}

// handle takes one event of the socket.
func (s *bridged) handle(event string, data any) {
	switch event {
	case "connect":
		s.done(nil)
		return
	case "connect_error":
		s.done(fmt.Errorf("connect: %v", data))
		return
	case "open", "upgrade", "closed":
		return
	}
	if s.record[event] {
		m, _ := data.(map[string]any)
		s.events.Add(event, m)
	}
	s.sig.Deliver(event, data)
}

// done reports the connection's outcome, the first time only.
func (s *bridged) done(err error) {
	select {
	case s.connected <- err:
	default:
	}
}

// send writes one command line to the script.
func (b *Bridge) send(cmd map[string]any) error {
	raw, err := json.Marshal(cmd)
	if err != nil {
		return err
	}
	b.mu.Lock()
	defer b.mu.Unlock()
	if _, err := b.drv.Stdin.Write(append(raw, '\n')); err != nil {
		return fmt.Errorf("signaling bridge: %w", err)
	}
	return nil
}

// transport is one bridged socket as a caller.Transport.
type transport struct {
	b  *Bridge
	id string
}

// Emit sends event through the official client.
func (t transport) Emit(event string, data map[string]any) error {
	return t.b.send(map[string]any{"op": "emit", "id": t.id, "event": event, "data": data})
}

// Close disconnects the official client's socket.
func (t transport) Close() { _ = t.b.send(map[string]any{"op": "close", "id": t.id}) }

// join connects a socket of the official client to base's /signaling
// (header on every request) and joins session as peer, recording into
// events the events named in record; it returns the Signal to offer
// through.
func (b *Bridge) join(ctx context.Context, base string, header http.Header, session, peer string, events *Events, record []string) (*caller.Signal, error) {
	s := &bridged{events: events, record: map[string]bool{}, connected: make(chan error, 1)}
	for _, name := range record {
		s.record[name] = true
	}
	b.mu.Lock()
	b.next++
	id := strconv.Itoa(b.next)
	s.sig = caller.NewSignal(peer, transport{b, id})
	b.sockets[id] = s
	b.mu.Unlock()

	headers := map[string]string{}
	for k, v := range header {
		sep := ", "
		if http.CanonicalHeaderKey(k) == "Cookie" {
			sep = "; "
		}
		headers[k] = strings.Join(v, sep)
	}
	if err := b.send(map[string]any{"op": "open", "id": id, "url": base, "headers": headers}); err != nil {
		return nil, err
	}
	select {
	case err := <-s.connected:
		if err != nil {
			s.sig.Close()
			return nil, err
		}
	case <-b.done:
		return nil, errors.New("the signaling bridge exited")
	case <-ctx.Done():
		s.sig.Close()
		return nil, fmt.Errorf("connect: %w", ctx.Err())
	}
	if err := s.sig.Join(ctx, session); err != nil {
		s.sig.Close()
		return nil, fmt.Errorf("join-session: %w", err)
	}
	return s.sig, nil
}

// offer joins session through a socket of the bridge, as o.Peer, within
// o.Join.Timeout, and offers a caller's peer to its agent (caller.Offer).
func (b *Bridge) offer(base, session string, events *Events, record []string, o caller.Options) (*caller.Peer, error) {
	ctx, cancel := context.WithTimeout(context.Background(), o.Join.Timeout)
	sig, err := b.join(ctx, base, o.Join.Header, session, o.Peer, events, record)
	cancel()
	if err != nil {
		return nil, err
	}
	return caller.Offer(context.Background(), sig, session, o)
}

// Transports counts the Engine.IO transports the sockets opened with and
// upgraded to so far ("open polling", "upgrade websocket").
func (b *Bridge) Transports() map[string]int {
	b.mu.Lock()
	defer b.mu.Unlock()
	return maps.Clone(b.transports)
}
