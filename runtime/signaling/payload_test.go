package signaling

import (
	"encoding/base64"
	"reflect"
	"strings"
	"testing"
)

func TestParseMessage(t *testing.T) {
	obj := map[string]any{"type": "offer", "sdp": "v=0"}
	long := strings.Repeat("x", maxIDLen+1)
	tests := []struct {
		name  string
		event string
		args  []any
		want  message
		code  string
	}{
		{"join", "join-session", []any{map[string]any{"sessionId": "s", "peerId": "p"}}, message{SessionID: "s", PeerID: "p"}, ""},
		{"join extra fields ignored", "join-session", []any{map[string]any{"sessionId": "s", "peerId": "p", "x": 1}}, message{SessionID: "s", PeerID: "p"}, ""},
		{"leave", "leave-session", []any{map[string]any{"sessionId": "s", "peerId": "p"}}, message{SessionID: "s", PeerID: "p"}, ""},
		{"offer", "offer", []any{map[string]any{"sessionId": "s", "peerId": "p", "offer": obj}}, message{SessionID: "s", PeerID: "p", Field: "offer", Value: obj}, ""},
		{"answer", "answer", []any{map[string]any{"sessionId": "s", "peerId": "p", "answer": obj}}, message{SessionID: "s", PeerID: "p", Field: "answer", Value: obj}, ""},
		{"candidate", "ice-candidate", []any{map[string]any{"sessionId": "s", "peerId": "p", "candidate": obj}}, message{SessionID: "s", PeerID: "p", Field: "candidate", Value: obj}, ""},
		{"no args", "join-session", nil, message{}, CodeInvalidPayload},
		{"string", "join-session", []any{"s"}, message{}, CodeInvalidPayload},
		{"number", "offer", []any{42.0}, message{}, CodeInvalidPayload},
		{"nil", "offer", []any{nil}, message{}, CodeInvalidPayload},
		{"array", "offer", []any{[]any{"s", "p"}}, message{}, CodeInvalidPayload},
		{"missing sessionId", "join-session", []any{map[string]any{"peerId": "p"}}, message{}, CodeInvalidPayload},
		{"missing peerId", "join-session", []any{map[string]any{"sessionId": "s"}}, message{}, CodeInvalidPayload},
		{"sessionId number", "join-session", []any{map[string]any{"sessionId": 1.0, "peerId": "p"}}, message{}, CodeInvalidPayload},
		{"peerId object", "join-session", []any{map[string]any{"sessionId": "s", "peerId": obj}}, message{}, CodeInvalidPayload},
		{"empty sessionId", "leave-session", []any{map[string]any{"sessionId": "", "peerId": "p"}}, message{}, CodeInvalidPayload},
		{"long peerId", "join-session", []any{map[string]any{"sessionId": "s", "peerId": long}}, message{}, CodeInvalidPayload},
		{"offer missing", "offer", []any{map[string]any{"sessionId": "s", "peerId": "p"}}, message{}, CodeInvalidPayload},
		{"offer null", "offer", []any{map[string]any{"sessionId": "s", "peerId": "p", "offer": nil}}, message{}, CodeInvalidPayload},
		{"offer string", "offer", []any{map[string]any{"sessionId": "s", "peerId": "p", "offer": "v=0"}}, message{}, CodeInvalidPayload},
		{"answer in offer event", "offer", []any{map[string]any{"sessionId": "s", "peerId": "p", "answer": obj}}, message{}, CodeInvalidPayload},
		{"candidate array", "ice-candidate", []any{map[string]any{"sessionId": "s", "peerId": "p", "candidate": []any{}}}, message{}, CodeInvalidPayload},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := parseMessage(tt.event, tt.args)
			if tt.code != "" {
				if err == nil || err.Code != tt.code {
					t.Fatalf("err = %v, want code %s", err, tt.code)
				}
				if err.Message == "" || !strings.Contains(err.Message, tt.event) {
					t.Errorf("message %q does not name the event", err.Message)
				}
				return
			}
			if err != nil {
				t.Fatalf("unexpected error %v", err)
			}
			if !reflect.DeepEqual(got, tt.want) {
				t.Errorf("got %+v, want %+v", got, tt.want)
			}
		})
	}
}

func TestSplitAck(t *testing.T) {
	called := false
	ack := func([]any, error) { called = true }
	args, a := splitAck([]any{map[string]any{}, ack})
	if len(args) != 1 || a == nil {
		t.Fatalf("args=%v ack=%v", args, a != nil)
	}
	a(nil, nil)
	if !called {
		t.Error("ack not the callback")
	}
	if args, a := splitAck([]any{"x"}); len(args) != 1 || a != nil {
		t.Errorf("no ack: args=%v ack=%v", args, a != nil)
	}
	if args, a := splitAck(nil); len(args) != 0 || a != nil {
		t.Errorf("empty: args=%v", args)
	}
}

func TestNewValidates(t *testing.T) {
	if _, err := New(nil, nil); err == nil {
		t.Error("nil Sessions accepted")
	}
	if _, err := New(fakeSessions{}, nil, WithMaxPayload(0)); err == nil {
		t.Error("zero max payload accepted")
	}
	s, err := New(fakeSessions{}, nil)
	if err != nil {
		t.Fatal(err)
	}
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
}

func TestParseAudioData(t *testing.T) {
	pcm := base64.StdEncoding.EncodeToString([]byte{1, 0, 0xff, 0x7f}) // 1, 32767
	ok := func(extra map[string]any) []any {
		m := map[string]any{"sessionId": "s", "peerId": "p", "audioData": pcm}
		for k, v := range extra {
			m[k] = v
		}
		return []any{m}
	}
	m, err := parseMessage("audio-data", ok(map[string]any{"timestamp": 12.0}))
	if err != nil {
		t.Fatal(err)
	}
	a := m.Value.(AudioData)
	if a.PCM.Rate != 16000 || len(a.PCM.Samples) != 2 || a.PCM.Samples[1] != 32767 || a.Timestamp != 12.0 {
		t.Errorf("got %+v", a)
	}
	if m, err = parseMessage("audio-data", ok(map[string]any{"sampleRate": 48000.0, "timestamp": "2024-12-14T10:00:00Z"})); err != nil || m.Value.(AudioData).PCM.Rate != 48000 {
		t.Errorf("48 kHz: %v %v", m, err)
	}
	for name, extra := range map[string]map[string]any{
		"not base64":     {"audioData": "%%%"},
		"odd bytes":      {"audioData": base64.StdEncoding.EncodeToString([]byte{1, 2, 3})},
		"empty":          {"audioData": ""},
		"number":         {"audioData": 5.0},
		"rate too low":   {"sampleRate": 4000.0},
		"rate fraction":  {"sampleRate": 16000.5},
		"rate string":    {"sampleRate": "16000"},
		"timestamp bool": {"timestamp": true},
	} {
		if _, err := parseMessage("audio-data", ok(extra)); err == nil || err.Code != CodeInvalidPayload {
			t.Errorf("%s: err = %v", name, err)
		}
	}
}
