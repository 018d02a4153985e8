package signaling

import (
	"io"
	"strings"
	"testing"

	"github.com/zishang520/socket.io/parsers/engine/v3/packet"
	"github.com/zishang520/socket.io/servers/engine/v3/transports"
)

// fakeTransport is a transport with one pending poll request at most.
type fakeTransport struct {
	transports.Transport // nil: only what pollingTransport uses is here
	writable             bool
	sent                 []string
}

func (f *fakeTransport) Writable() bool { return f.writable }

// Send writes to the pending request, as the library's polling does; a
// second Send before the next request is what failed the connection
// ("polling write error").
func (f *fakeTransport) Send(ps []*packet.Packet) {
	if !f.writable {
		f.sent = append(f.sent, "LOST")
		return
	}
	f.writable = false
	var names []string
	for _, p := range ps {
		if p.Type == packet.NOOP {
			names = append(names, "noop")
			continue
		}
		b, _ := io.ReadAll(p.Data)
		names = append(names, string(b))
	}
	f.sent = append(f.sent, strings.Join(names, "+"))
}

func msg(s string) []*packet.Packet {
	return []*packet.Packet{{Type: packet.MESSAGE, Data: strings.NewReader(s)}}
}

var noop = []*packet.Packet{{Type: packet.NOOP}}

func TestPollingSendClaimsTheRequest(t *testing.T) {
	inner := &fakeTransport{writable: true}
	p := &pollingTransport{Transport: inner}

	// The upgrade's NOOP takes the pending request; the answer sent at the
	// same moment waits for the next one instead of failing.
	p.Send(noop)
	p.Send(msg("answer"))
	p.Send(noop) // another NOOP while the request is taken: dropped
	p.Send(msg("candidate"))
	inner.writable = true // the next poll request
	p.sendKept()
	if got, want := strings.Join(inner.sent, " | "), "noop | answer+candidate"; got != want {
		t.Errorf("writes %q, want %q", got, want)
	}

	// Kept packets go first when a Send finds a new request before "ready".
	inner.sent = nil
	p.Send(msg("a"))
	inner.writable = true
	p.Send(msg("b"))
	p.sendKept() // nothing left
	if got, want := strings.Join(inner.sent, " | "), "a+b"; got != want {
		t.Errorf("writes %q, want %q", got, want)
	}
}

func TestPollingHandOverOnUpgrade(t *testing.T) {
	inner := &fakeTransport{writable: true}
	p := &pollingTransport{Transport: inner}
	p.Send(noop)
	p.Send(msg("joined"))
	ws := &fakeTransport{writable: true}
	p.handOver(ws)
	if got, want := strings.Join(ws.sent, " | "), "joined"; got != want {
		t.Errorf("websocket got %q, want %q", got, want)
	}
	p.Send(msg("late")) // the polling transport is done: nothing kept
	if len(p.kept) != 0 {
		t.Errorf("kept %d packets after the upgrade", len(p.kept))
	}
}
