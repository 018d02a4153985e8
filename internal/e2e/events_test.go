package e2e

import (
	"testing"
	"time"
)

func TestEventsFind(t *testing.T) {
	var e Events
	e.Add("transcript", map[string]any{"text": "hi", "final": false})
	e.Add("transcript", map[string]any{"text": "hello", "final": true})
	e.Add("agent-response", map[string]any{"text": "yes", "final": true})
	e.Add("transcript", map[string]any{"text": "bye", "final": true})
	final := func(m map[string]any) bool { return m["final"] == true }

	for _, tc := range []struct {
		name  string
		event string
		nth   int
		match func(map[string]any) bool
		want  string // text, "" for not found
	}{
		{"first of any", "transcript", 1, nil, "hi"},
		{"second final", "transcript", 2, final, "bye"},
		{"third final is missing", "transcript", 3, final, ""},
		{"other name", "agent-response", 1, nil, "yes"},
		{"never sent", "sentiment", 1, nil, ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got, ok, failure := e.Find(tc.event, tc.nth, tc.match)
			if failure != nil {
				t.Fatalf("failure %v", failure)
			}
			if tc.want == "" {
				if ok {
					t.Fatalf("found %v", got)
				}
				return
			}
			if !ok || got["text"] != tc.want {
				t.Fatalf("got %v, %v; want %q", got, ok, tc.want)
			}
		})
	}
	want := []string{"transcript", "transcript(hello)", "agent-response(yes)", "transcript(bye)"}
	if got := e.Names(); len(got) != len(want) || got[1] != want[1] || got[3] != want[3] {
		t.Fatalf("names %v, want %v", got, want)
	}
}

func TestEventsErrors(t *testing.T) {
	var e Events
	e.Add("error", map[string]any{"code": "SESSION_NOT_FOUND"})
	e.Add("answer", map[string]any{"peerId": "agent"})
	if _, ok, failure := e.Find("answer", 1, nil); ok || failure["code"] != "SESSION_NOT_FOUND" {
		t.Fatalf("an error event before the answer: ok %v, failure %v", ok, failure)
	}
	if got, ok, failure := e.Find("error", 1, nil); !ok || failure != nil || got["code"] != "SESSION_NOT_FOUND" {
		t.Fatalf("waiting for the error itself: %v %v %v", got, ok, failure)
	}
	e.IgnoreErrors = true
	if got := e.Wait(t, "answer", 1, nil, time.Second); got["peerId"] != "agent" {
		t.Fatalf("with IgnoreErrors: %v", got)
	}
}
