package signaling

import (
	"encoding/base64"
	"encoding/json"
	"reflect"
	"strings"
	"testing"

	"github.com/parleyhq/parley/runtime/pcm"
)

// clientEvents are the events whose payload parseMessage reads; the
// server only dispatches these names.
var clientEvents = []string{"join-session", "leave-session", "offer", "answer", "ice-candidate", "audio-data"}

// checkError checks a refusal: a code a client can branch on and a short
// message naming the event.
func checkError(t *testing.T, event string, err *Error) {
	t.Helper()
	if err.Code == "" || strings.Trim(err.Code, "ABCDEFGHIJKLMNOPQRSTUVWXYZ_") != "" {
		t.Fatalf("%s: error code %q", event, err.Code)
	}
	if !strings.HasPrefix(err.Message, event+": ") || len(err.Message) > 512 {
		t.Fatalf("%s: error message of %d bytes: %.100q", event, len(err.Message), err.Message)
	}
}

// FuzzParseMessage checks any JSON payload of any client event, decoded as
// Socket.IO decodes it: a refusal is a typed Error, and an accepted
// message carries exactly the ids and the relayed object it was given.
func FuzzParseMessage(f *testing.F) {
	pcm := base64.StdEncoding.EncodeToString([]byte{1, 0, 0xff, 0x7f})
	for i, s := range []string{
		`{"sessionId":"6f1c2a9e-0b7e-4f0a-9a55-3d1f2f0c8b11","peerId":"caller-1"}`,
		`{"sessionId":"s","peerId":"p"}`,
		`{"sessionId":"s","peerId":"p","offer":{"type":"offer","sdp":"v=0\r\no=- 1 2 IN IP4 127.0.0.1\r\n"}}`,
		`{"sessionId":"s","peerId":"p","answer":{"type":"answer","sdp":"v=0\r\n"}}`,
		`{"sessionId":"s","peerId":"p","candidate":{"candidate":"candidate:1 1 udp 2130706431 127.0.0.1 50000 typ host","sdpMid":"0","sdpMLineIndex":0}}`,
		`{"sessionId":"s","peerId":"p","audioData":"` + pcm + `","sampleRate":16000,"timestamp":12}`,
		`{"sessionId":1,"peerId":null}`, `[]`, `"x"`, `null`,
	} {
		f.Add(uint8(i), []byte(s))
	}
	f.Fuzz(func(t *testing.T, which uint8, data []byte) {
		event := clientEvents[int(which)%len(clientEvents)]
		var payload any
		if json.Unmarshal(data, &payload) != nil {
			return
		}
		m, err := parseMessage(event, []any{payload})
		if err != nil {
			checkError(t, event, err)
			return
		}
		obj := payload.(map[string]any)
		if m.SessionID != obj["sessionId"] || m.PeerID != obj["peerId"] || m.SessionID == "" || m.PeerID == "" ||
			len(m.SessionID) > maxIDLen || len(m.PeerID) > maxIDLen {
			t.Fatalf("%s: ids %q, %q from %v", event, m.SessionID, m.PeerID, obj)
		}
		switch field, relayed := relayField[event]; {
		case event == "audio-data":
			a, ok := m.Value.(AudioData)
			if !ok {
				t.Fatalf("audio-data: value %T", m.Value)
			}
			checkAudio(t, obj, a)
		case relayed:
			if m.Field != field || !reflect.DeepEqual(m.Value, obj[field]) {
				t.Fatalf("%s: relays %q = %v, not the %s it was given", event, m.Field, m.Value, field)
			}
			if _, isObj := m.Value.(map[string]any); !isObj {
				t.Fatalf("%s: relays a %T", event, m.Value)
			}
		default:
			if m.Field != "" || m.Value != nil {
				t.Fatalf("%s: carries %q = %v", event, m.Field, m.Value)
			}
		}
	})
}

// checkAudio checks an accepted chunk against the payload it came from:
// the samples are the bytes sent, at the rate sent (16 kHz by default).
func checkAudio(t *testing.T, obj map[string]any, a AudioData) {
	t.Helper()
	raw, err := base64.StdEncoding.DecodeString(obj["audioData"].(string))
	if err != nil {
		t.Fatalf("audio-data: accepted %q: %v", obj["audioData"], err)
	}
	if got := pcm.AppendBytesLE(nil, a.PCM.Samples); len(raw) == 0 || string(got) != string(raw) {
		t.Fatalf("audio-data: %d samples do not round-trip to the %d bytes sent", len(a.PCM.Samples), len(raw))
	}
	want := AudioSampleRate
	if r, ok := obj["sampleRate"].(float64); ok {
		want = int(r)
	}
	if a.PCM.Rate != want || a.PCM.Rate < 8000 || a.PCM.Rate > 48000 {
		t.Fatalf("audio-data: rate %d, sent %v", a.PCM.Rate, obj["sampleRate"])
	}
	if !reflect.DeepEqual(a.Timestamp, obj["timestamp"]) {
		t.Fatalf("audio-data: timestamp %v, sent %v", a.Timestamp, obj["timestamp"])
	}
}

// FuzzParseAudioData checks audio chunks of any bytes, rate and timestamp:
// whole 16-bit samples at the default rate are always accepted and
// round-trip; anything accepted is what was sent; a refusal is a typed
// Error.
func FuzzParseAudioData(f *testing.F) {
	f.Add([]byte{1, 0, 0xff, 0x7f}, 0.0, false, "12")
	f.Add([]byte{1, 0, 0xff, 0x7f}, 48000.0, true, "2024-12-14T10:00:00Z")
	f.Add(make([]byte, 640), 16000.0, true, "")
	f.Add([]byte{1, 2, 3}, 16000.5, true, "")
	f.Add([]byte{}, 4000.0, true, "")
	f.Fuzz(func(t *testing.T, pcm []byte, rate float64, withRate bool, ts string) {
		obj := map[string]any{"audioData": base64.StdEncoding.EncodeToString(pcm)}
		if withRate {
			obj["sampleRate"] = rate
		}
		if ts != "" {
			obj["timestamp"] = ts
		}
		a, err := parseAudioData(obj)
		if err != nil {
			checkError(t, "audio-data", err)
			if !withRate && len(pcm) > 0 && len(pcm)%2 == 0 {
				t.Fatalf("whole samples at the default rate refused: %v", err)
			}
			return
		}
		checkAudio(t, obj, a)
	})
}
