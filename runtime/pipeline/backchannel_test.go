package pipeline

import (
	"testing"
	"time"

	"github.com/parleyhq/parley/runtime/agent"
	"github.com/parleyhq/parley/runtime/store"
)

func (h *harness) speaking(state string) bool {
	return h.has(EventAgentSpeaking, func(p map[string]any) bool { return p["state"] == state })
}

// backchannels returns the stored acknowledgements.
func (h *harness) backchannels() []*store.Turn {
	var out []*store.Turn
	for _, tr := range h.st.all() {
		if tr.Backchannel {
			out = append(out, tr)
		}
	}
	return out
}

// overGreeting starts a harness whose agent greets at length, and waits
// until the greeting plays.
func overGreeting(t *testing.T, edit func(*agent.Spec)) *harness {
	h := newHarness(t, func(s *agent.Spec) {
		s.Greeting = longGreeting
		if edit != nil {
			edit(s)
		}
	})
	h.eventually(func() bool { return len(h.w.frames()) > 10 }, "greeting playing")
	return h
}

// TestBackchannelResumes: an "uh-huh" over the agent pauses it, and it
// goes on where it paused; the acknowledgement is stored as a backchannel
// after the agent's turn, gets no reply, and the greeting is not cut.
func TestBackchannelResumes(t *testing.T) {
	h := overGreeting(t, nil)
	h.f.heard.Store("uh-huh")
	h.f.partial.Store("uh-huh")
	before := len(h.w.frames())
	h.talk(400*time.Millisecond, true)
	if !h.speaking(SpeakingPaused) {
		t.Fatalf("the agent did not pause for speech over it: %v", h.names())
	}
	h.talk(time.Second, false)
	h.eventually(func() bool { return h.speaking(SpeakingResumed) }, "the agent resuming")
	h.eventually(func() bool { return len(h.st.all()) >= 2 }, "greeting and backchannel stored")
	if h.interrupted() {
		t.Fatalf("an acknowledgement stopped the agent: %v", h.names())
	}
	if len(h.w.frames()) <= before+30 {
		t.Errorf("the agent's voice did not go on after the acknowledgement")
	}
	turns := h.st.all()
	if turns[0].Role != store.RoleAssistant || turns[0].Interrupted || turns[0].Text != longGreeting {
		t.Errorf("greeting stored as %+v", turns[0])
	}
	if bc := h.backchannels(); len(bc) != 1 || bc[0].Text != "uh-huh" || bc[0].Role != store.RoleUser || bc[0].Seq != 2 {
		t.Errorf("backchannels stored %+v, want one uh-huh after the greeting", bc)
	}
	if n := h.userTurns(); n != 1 || len(h.finals()) != 1 {
		t.Errorf("caller turns %d, agent replies %v: an acknowledgement is not answered", n, h.finals())
	}
	if !h.has(EventTranscript, func(p map[string]any) bool { return p["backchannel"] == true && p["text"] == "uh-huh" }) {
		t.Errorf("no backchannel transcript event: %v", h.names())
	}
}

// TestBackchannelInterruptionStops: words that are not an acknowledgement
// stop the agent as soon as the partial transcript has them, and are
// answered.
func TestBackchannelInterruptionStops(t *testing.T) {
	h := overGreeting(t, nil)
	h.f.heard.Store("wait stop I have a question")
	h.f.partial.Store("wait stop")
	h.talk(500*time.Millisecond, true)
	h.eventually(h.interrupted, "the interruption")
	h.talk(time.Second, false)
	h.eventually(func() bool { return len(h.finals()) == 2 }, "the reply to the interruption")
	if len(h.backchannels()) != 0 {
		t.Errorf("an interruption stored as a backchannel: %v", h.backchannels())
	}
	if !h.st.all()[0].Interrupted {
		t.Errorf("greeting stored as %+v, want interrupted", h.st.all()[0])
	}
}

// TestBackchannelByFinal: without partial transcripts (Whisper), the
// final transcript decides: "okay" lets the agent go on, a sentence stops
// it and is answered.
func TestBackchannelByFinal(t *testing.T) {
	h := overGreeting(t, nil)
	h.f.noPartials.Store(true)
	h.f.heard.Store("okay")
	h.talk(400*time.Millisecond, true)
	h.talk(time.Second, false)
	h.eventually(func() bool { return h.speaking(SpeakingResumed) }, "the agent resuming")
	if h.interrupted() {
		t.Fatalf("okay stopped the agent: %v", h.names())
	}
	h.f.heard.Store("no I said tuesday")
	h.talk(400*time.Millisecond, true)
	h.talk(time.Second, false)
	h.eventually(h.interrupted, "the interruption")
	h.eventually(func() bool { return len(h.finals()) == 2 }, "the reply to the interruption")
	bc := h.backchannels()
	if len(bc) != 1 || bc[0].Text != "okay" {
		t.Errorf("backchannels %+v, want okay", bc)
	}
}

// TestBackchannelTooLong: speech over the agent longer than max_speech is
// an interruption, whatever its words.
func TestBackchannelTooLong(t *testing.T) {
	h := overGreeting(t, func(s *agent.Spec) { s.TurnTaking.Backchannel.MaxSpeech = agent.Duration(600 * time.Millisecond) })
	h.f.heard.Store("yeah")
	h.f.partial.Store("yeah")
	start := time.Now()
	h.talk(1200*time.Millisecond, true)
	h.eventually(h.interrupted, "the interruption")
	if !h.speaking(SpeakingPaused) {
		t.Errorf("no pause first: %v", h.names())
	}
	if d := time.Since(start); d < 600*time.Millisecond {
		t.Errorf("stopped after %v, before max_speech", d)
	}
}

// TestBackchannelOwnWords: an agent's own list replaces the built-in one
// for its language.
func TestBackchannelOwnWords(t *testing.T) {
	h := overGreeting(t, func(s *agent.Spec) {
		s.TurnTaking.Backchannel.Words = map[string][]string{"en-US": {"roger"}}
	})
	h.f.heard.Store("yeah I see that")
	h.f.partial.Store("yeah I see")
	h.talk(400*time.Millisecond, true)
	h.eventually(h.interrupted, "yeah I see is no longer an acknowledgement")
}

// TestBackchannelPauseInsideAnInterruption: "No, | the delivery was for
// Tuesday" over the agent, its first word misheard as one that could be
// an acknowledgement: the short pause after it does not end the speech
// (the agent stays paused, not resumed), and the rest stops the agent.
func TestBackchannelPauseInsideAnInterruption(t *testing.T) {
	h := overGreeting(t, func(s *agent.Spec) { adaptive(s); s.Greeting = longGreeting })
	h.f.partial.Store("know")
	h.f.heard.Store("know")
	h.say(400*time.Millisecond, true) // falling: it sounds finished
	if !h.speaking(SpeakingPaused) {
		t.Fatalf("the agent did not pause for speech over it: %v", h.names())
	}
	h.talk(300*time.Millisecond, false)
	h.f.partial.Store("know the delivery was for tuesday")
	h.f.heard.Store("know the delivery was for tuesday")
	h.talk(800*time.Millisecond, true)
	h.eventually(func() bool { return h.interrupted() }, "the agent stopped")
	if h.speaking(SpeakingResumed) {
		t.Errorf("the agent went on in the pause after the first word: %v", h.names())
	}
}
