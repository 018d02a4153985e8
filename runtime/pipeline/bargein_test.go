package pipeline

import (
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
