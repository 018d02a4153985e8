package signaling

import (
	"io"
	"log/slog"
	"testing"
	"time"

	"github.com/zishang520/socket.io/parsers/engine/v3/packet"
	"github.com/zishang520/socket.io/v3/pkg/types"
)

func TestHeader(t *testing.T) {
	for _, tc := range []struct {
		data string
		typ  byte
		nsp  string
		ok   bool
	}{
		{"0/signaling,", '0', "/signaling", true},
		{`0/signaling,{"token":"x"}`, '0', "/signaling", true},
		{"0/signaling", '0', "/signaling", true},
		{"0", '0', "/", true},
		{`2/signaling,["join-session",{"sessionId":"a-b"}]`, '2', "/signaling", true},
		{`2/signaling,12["offer"]`, '2', "/signaling", true}, // with an ack id
		{`2["x"]`, '2', "/", true},
		{`51-/signaling,["audio",{"_placeholder":true,"num":0}]`, '5', "/signaling", true},
		{`4/signaling,{"message":"no"}`, '4', "/signaling", true},
		{"", 0, "", false},
	} {
		p := &packet.Packet{Type: packet.MESSAGE, Data: types.NewStringBufferString(tc.data)}
		typ, nsp, ok := header(p)
		if typ != tc.typ || nsp != tc.nsp || ok != tc.ok {
			t.Errorf("header(%q) = %q, %q, %v; want %q, %q, %v", tc.data, typ, nsp, ok, tc.typ, tc.nsp, tc.ok)
		}
		if got := p.Data.(*types.StringBuffer).String(); got != tc.data {
			t.Errorf("header(%q) consumed the packet: %q left", tc.data, got)
		}
	}
	bin := &packet.Packet{Type: packet.MESSAGE, Data: types.NewBytesBuffer([]byte("0/signaling,"))}
	if _, _, ok := header(bin); ok {
		t.Error("a binary frame (an attachment) was read as a header")
	}
}

// fakeConn is an Engine.IO connection for the gate.
type fakeConn struct {
	types.EventEmitter
	id string
}

func (c fakeConn) Id() string { return c.id } //nolint:revive // the name Engine.IO's interface gives it

func text(s string) *packet.Packet {
	return &packet.Packet{Type: packet.MESSAGE, Data: types.NewStringBufferString(s)}
}

// deliver emits p as read from the connection, as Engine.IO does before it
// hands the packet to the Socket.IO client, and reports when that is done.
func deliver(c fakeConn, p *packet.Packet) <-chan struct{} {
	done := make(chan struct{})
	go func() {
		c.Emit("packet", p)
		close(done)
	}()
	return done
}

func passed(done <-chan struct{}, within time.Duration) bool {
	select {
	case <-done:
		return true
	case <-time.After(within):
		return false
	}
}

func TestConnectGateHoldsPacketsUntilTheSocketIsSetUp(t *testing.T) {
	g := newConnectGate(slog.New(slog.NewTextHandler(io.Discard, nil)), time.Minute)
	conn := fakeConn{types.NewEventEmitter(), "e1"}
	g.watch(conn)

	if !passed(deliver(conn, text(`2["before any connect"]`)), time.Second) {
		t.Fatal("a packet with no namespace connect pending was held")
	}
	if !passed(deliver(conn, text("0/signaling,")), time.Second) {
		t.Fatal("the CONNECT itself was held")
	}
	held := deliver(conn, text(`2/signaling,["join-session",{}]`))
	if passed(held, 50*time.Millisecond) {
		t.Fatal("an event sent right after the CONNECT was not held")
	}
	g.connected("e1")
	if !passed(held, time.Second) {
		t.Fatal("the event was still held once the socket was set up")
	}
	if !passed(deliver(conn, text(`2/signaling,["offer",{}]`)), time.Second) {
		t.Fatal("a packet after the set-up was held")
	}

	// Refused: the CONNECT_ERROR the server writes ends the hold.
	<-deliver(conn, text("0/signaling,"))
	held = deliver(conn, text(`2/signaling,["x"]`))
	if passed(held, 50*time.Millisecond) {
		t.Fatal("not held")
	}
	conn.Emit("packetCreate", text(`4/signaling,{"message":"refused"}`))
	if !passed(held, time.Second) {
		t.Fatal("a refused CONNECT kept the connection's packets held")
	}

	// Closed: the hold ends, and the connection is forgotten.
	<-deliver(conn, text("0/signaling,"))
	held = deliver(conn, text(`2/signaling,["x"]`))
	conn.Emit("close", "transport close")
	if !passed(held, time.Second) {
		t.Fatal("a closed connection kept its packets held")
	}
	g.mu.Lock()
	n := len(g.conns)
	g.mu.Unlock()
	if n != 0 {
		t.Errorf("%d connections remembered after close", n)
	}
}

func TestConnectGateLimit(t *testing.T) {
	g := newConnectGate(slog.New(slog.NewTextHandler(io.Discard, nil)), 20*time.Millisecond)
	conn := fakeConn{types.NewEventEmitter(), "e2"}
	g.watch(conn)
	<-deliver(conn, text("0/signaling,"))
	if !passed(deliver(conn, text(`2/signaling,["x"]`)), time.Second) {
		t.Fatal("the hold outlasted its limit")
	}
	if !passed(deliver(conn, text(`2/signaling,["y"]`)), 10*time.Millisecond) {
		t.Fatal("packets after the limit were held again")
	}
}
