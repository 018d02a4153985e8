package pipeline

import (
	"io"
	"net/http"
	"net/http/httptest"
	"testing"
	"time"

	"github.com/parleyhq/parley/runtime/agent"
	"github.com/parleyhq/parley/runtime/store"
)

// longGreeting plays for about six seconds with the fake TTS.
const longGreeting = "This greeting is long on purpose. It goes on and on while the caller tries to speak. It has four sentences. This is the last one."

func (h *harness) interrupted() bool {
	return h.has(EventAgentSpeaking, func(p map[string]any) bool { return p["state"] == SpeakingInterrupted })
}

// userTurns counts the caller's stored turns.
func (h *harness) userTurns() int {
	n := 0
	for _, tr := range h.st.all() {
		if tr.Role == store.RoleUser {
			n++
		}
	}
	return n
}

// TestBargeInMinSpeech: with barge_in_min_speech 700ms, 400 ms of speech
// over the agent (a turn, being past min_speech) does not stop it and gets
// no reply; longer speech stops it, not before 700 ms of it.
func TestBargeInMinSpeech(t *testing.T) {
	h := newHarness(t, func(s *agent.Spec) {
		s.Greeting = longGreeting
		s.TurnTaking.Backchannel.Enabled = false // the thresholds alone
		d := agent.Duration(700 * time.Millisecond)
		s.TurnTaking.BargeInMinSpeech = &d
	})
	h.eventually(func() bool { return len(h.w.frames()) > 10 }, "greeting playing")
	h.talk(400*time.Millisecond, true)
	h.talk(600*time.Millisecond, false) // the short turn ends over the agent
	if h.interrupted() {
		t.Fatalf("400 ms of speech stopped the agent: %v", h.names())
	}
	start := time.Now()
	h.talk(1200*time.Millisecond, true)
	h.eventually(h.interrupted, "interruption")
	frames := h.w.frames()
	if d := frames[len(frames)-1].Sub(start); d < 500*time.Millisecond {
		t.Errorf("the agent stopped %v after the caller started, before barge_in_min_speech", d)
	}
	h.talk(600*time.Millisecond, false)
	h.eventually(func() bool { return len(h.st.all()) >= 3 }, "greeting, turn and reply stored")
	if !h.st.all()[0].Interrupted {
		t.Errorf("greeting stored as %+v", h.st.all()[0])
	}
	if n := h.userTurns(); n != 1 {
		t.Errorf("%d caller turns stored, want 1 (the short speech over the agent is not a turn): %v", n, h.st.all())
	}
}

// TestBargeInMinWords: with barge_in_min_words 3, speech over the agent
// stops it only once a partial transcript has three words.
func TestBargeInMinWords(t *testing.T) {
	h := newHarness(t, func(s *agent.Spec) {
		s.Greeting = longGreeting
		s.TurnTaking.Backchannel.Enabled = false // the thresholds alone
		s.TurnTaking.BargeInMinWords = 3
	})
	h.eventually(func() bool { return len(h.w.frames()) > 10 }, "greeting playing")
	h.talk(700*time.Millisecond, true) // partials "where", "where is"
	h.talk(600*time.Millisecond, false)
	if h.interrupted() {
		t.Fatalf("two words stopped the agent: %v", h.names())
	}
	h.talk(2*time.Second, true)
	h.eventually(h.interrupted, "interruption")
	// The interruption comes after the three-word partial, not before.
	h.mu.Lock()
	threeWords := -1
	for i, e := range h.events {
		if e.name == EventTranscript && e.payload["text"] == "where is my" && threeWords < 0 {
			threeWords = i
		}
		if e.name == EventAgentSpeaking && e.payload["state"] == SpeakingInterrupted && (threeWords < 0 || i < threeWords) {
			h.mu.Unlock()
			t.Fatalf("interrupted before a three-word partial: %v", h.names())
		}
	}
	h.mu.Unlock()
	h.talk(600*time.Millisecond, false)
	h.eventually(func() bool { return len(h.st.all()) >= 3 }, "greeting, turn and reply stored")
	if n := h.userTurns(); n != 1 {
		t.Errorf("%d caller turns stored, want 1: %v", n, h.st.all())
	}
}

// TestFalseEndOfTurn: a caller who pauses just long enough for the turn to
// end, and goes on before the agent has said a word, is answered once,
// for all of it: the two halves are one stored turn and the reply they
// cut short is not stored. Going on after the agent's first words is an
// interruption as before: two turns, the cut reply stored with its words.
func TestFalseEndOfTurn(t *testing.T) {
	tools := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		// Still running when the caller's speech stops the reply.
		select {
		case <-time.After(3 * time.Second):
		case <-r.Context().Done():
		}
		_, _ = io.WriteString(w, `{"status":"shipped"}`)
	}))
	t.Cleanup(tools.Close)
	for _, tc := range []struct {
		name   string
		gap    time.Duration // silence before the caller goes on
		tool   bool          // the reply runs a tool at once
		merged bool
	}{
		{"goes on at once", 500 * time.Millisecond, false, true},
		{"goes on after the agent's first words", 2500 * time.Millisecond, false, false},
		{"goes on at once, after a tool ran", 500 * time.Millisecond, true, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			f := newFakeProviders()
			f.ttsPerRune = 120 * time.Millisecond // about 0.8 s per word of the reply
			edit := func(s *agent.Spec) { s.Greeting = "" }
			if tc.tool {
				f.tool.Store("lookup_order")
				f.toolArgs.Store(`{"order": "12345"}`)
				edit = withTools(tools.URL)
			}
			h := newHarnessWith(t, f, edit)
			h.talk(800*time.Millisecond, true) // "where is my order"
			h.talk(tc.gap, false)              // the turn ends after 400 ms
			f.heard.Store("it has not arrived yet")
			h.talk(1200*time.Millisecond, true)
			h.talk(600*time.Millisecond, false)
			h.eventually(h.interrupted, "the first reply cut short")
			h.eventually(func() bool {
				all := h.st.all()
				return len(all) > 0 && all[len(all)-1].Role == store.RoleAssistant && !all[len(all)-1].Interrupted
			}, "the answer stored")
			var got []string
			for _, tr := range h.st.all() {
				got = append(got, string(tr.Role)+": "+tr.Text)
			}
			if tc.merged {
				if len(got) != 2 || got[0] != "user: where is my order it has not arrived yet" {
					t.Fatalf("stored %q, want the two halves as one caller turn, then the answer", got)
				}
				if first := h.st.all()[0]; first.Timings.SpeechStart.After(first.StartedAt) || first.EndedAt.Sub(first.StartedAt) < 2*time.Second {
					t.Errorf("the merged turn runs %v to %v, want from the first half's start", first.StartedAt, first.EndedAt)
				}
				return
			}
			if tc.tool {
				// The cut reply holds its tool call, whatever it said.
				if len(got) != 4 || got[0] != "user: where is my order" || got[2] != "user: it has not arrived yet" || len(h.st.all()[1].ToolCalls) != 1 {
					t.Fatalf("stored %q, want two caller turns with the cut reply's tool call between", got)
				}
				return
			}
			if len(got) != 4 || got[0] != "user: where is my order" || got[2] != "user: it has not arrived yet" || !h.st.all()[1].Interrupted || got[1] == "assistant: " {
				t.Fatalf("stored %q, want two caller turns with the cut reply's words between", got)
			}
		})
	}
}
