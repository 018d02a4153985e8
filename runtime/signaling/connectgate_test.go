package signaling

import (
	"testing"

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
