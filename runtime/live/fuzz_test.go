package live

import (
	"encoding/json"
	"errors"
	"reflect"
	"strings"
	"testing"

	"github.com/pion/ice/v4"

	"github.com/parleyhq/parley/runtime/signaling"
)

// decodeJSON decodes a payload as Socket.IO hands it over: objects as
// maps, numbers as float64.
func decodeJSON(b []byte) (map[string]any, bool) {
	var m map[string]any
	return m, json.Unmarshal(b, &m) == nil && m != nil
}

// checkRefusal checks that err is the signaling Error a client gets.
func checkRefusal(t *testing.T, err error) {
	t.Helper()
	var se *signaling.Error
	if !errors.As(err, &se) || se.Code != signaling.CodeInvalidPayload || len(se.Message) > 256 {
		t.Fatalf("refusal %v is not a short %s", err, signaling.CodeInvalidPayload)
	}
}

// FuzzParseOffer checks any offer payload: refused with INVALID_PAYLOAD,
// or an offer whose SDP is the string sent, within the size limit.
func FuzzParseOffer(f *testing.F) {
	for _, s := range []string{
		`{"type":"offer","sdp":"v=0\r\no=- 1 2 IN IP4 127.0.0.1\r\ns=-\r\nt=0 0\r\nm=audio 9 UDP/TLS/RTP/SAVPF 111\r\na=rtpmap:111 opus/48000/2\r\n"}`,
		`{"type":"answer","sdp":"v=0"}`, `{"type":"offer"}`, `{"type":"offer","sdp":7}`, `{}`,
	} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		m, ok := decodeJSON(data)
		if !ok {
			return
		}
		sd, err := parseOffer(m)
		if err != nil {
			checkRefusal(t, err)
			return
		}
		if sd.Type.String() != "offer" || sd.SDP != m["sdp"] || sd.SDP == "" || len(sd.SDP) > maxSDP {
			t.Fatalf("accepted %v as %v", m, sd)
		}
	})
}

// FuzzParseCandidate checks any candidate payload: refused with
// INVALID_PAYLOAD, or accepted as the fields sent, so that the payload the
// runtime sends back for it parses to the same candidate after a JSON
// round trip; and the candidate line Pion will parse never panics it.
func FuzzParseCandidate(f *testing.F) {
	for _, s := range []string{
		`{"candidate":"candidate:1 1 udp 2130706431 127.0.0.1 50000 typ host","sdpMid":"0","sdpMLineIndex":0,"usernameFragment":"Zx0b"}`,
		`{"candidate":"candidate:842163049 1 udp 1677729535 203.0.113.7 61000 typ srflx raddr 0.0.0.0 rport 0 generation 0 ufrag Zx0b network-cost 999","sdpMid":"0","sdpMLineIndex":0}`,
		`{"candidate":"candidate:2 1 tcp 1518280447 169.254.169.254 9 typ host tcptype active","sdpMid":null,"sdpMLineIndex":null}`,
		`{"candidate":"","sdpMid":"0"}`,
		`{"candidate":"x","sdpMLineIndex":1.5}`, `{"candidate":1}`, `{}`,
	} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		m, ok := decodeJSON(data)
		if !ok {
			return
		}
		c, err := parseCandidate(m)
		if err != nil {
			checkRefusal(t, err)
			return
		}
		if c.Candidate != m["candidate"] {
			t.Fatalf("candidate %q, sent %v", c.Candidate, m["candidate"])
		}
		b, err := json.Marshal(candidatePayload(c))
		if err != nil {
			t.Fatalf("payload of %v: %v", c, err)
		}
		back, _ := decodeJSON(b)
		again, err := parseCandidate(back)
		if err != nil || !reflect.DeepEqual(again, c) {
			t.Fatalf("round trip of %v through %s gave %v, %v", c, b, again, err)
		}
		if line := strings.TrimPrefix(c.Candidate, "candidate:"); line != "" {
			_, _ = ice.UnmarshalCandidate(line)
		}
	})
}
