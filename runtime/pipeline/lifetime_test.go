package pipeline

import (
	"testing"
	"time"

	"github.com/parleyhq/parley/runtime/agent"
	"github.com/parleyhq/parley/runtime/call"
)

// finals returns the agent's final responses, in order.
func (h *harness) finals() []string {
	h.mu.Lock()
	defer h.mu.Unlock()
	var out []string
	for _, e := range h.events {
		if e.name == EventAgentResponse && e.payload["final"] == true {
			out = append(out, str(e.payload["text"]))
		}
	}
	return out
}

func (h *harness) hungUp() []string {
	h.mu.Lock()
	defer h.mu.Unlock()
	return append([]string(nil), h.hangups...)
}

// TestMaxDuration: at the agent's max_duration the agent says its goodbye,
// even over the caller, and hangs up once it has played.
func TestMaxDuration(t *testing.T) {
	start := time.Now()
	h := newHarness(t, func(s *agent.Spec) {
		s.Greeting = ""
		s.MaxDuration = agent.Duration(1500 * time.Millisecond)
		s.Goodbye = "Time is up, goodbye."
	})
	h.eventually(func() bool { return len(h.hungUp()) == 1 }, "the hang-up")
	if took := time.Since(start); took < 1500*time.Millisecond {
		t.Errorf("hung up after %v, before the max duration", took)
	}
	if got := h.hungUp(); got[0] != call.ReasonMaxDuration {
		t.Errorf("hang-up reason %q", got[0])
	}
	if got := h.finals(); len(got) != 1 || got[0] != "Time is up, goodbye." {
		t.Errorf("agent said %q", got)
	}
	// 20 runes at 40 ms each: the goodbye played before the hang-up.
	if n := len(h.w.frames()); n < 35 {
		t.Errorf("hung up after %d frames of goodbye", n)
	}
}

// TestMaxDurationFromRuntime: an agent without max_duration gets the
// runtime's, and the built-in goodbye; a turn under way is cut short.
func TestMaxDurationFromRuntime(t *testing.T) {
	h := newHarnessPrep(t, newFakeProviders(), func(s *agent.Spec) { s.Greeting = "" },
		func(h *harness) { h.maxDur = 1200 * time.Millisecond })
	h.talk(1500*time.Millisecond, true) // still talking when the time is up
	h.talk(600*time.Millisecond, false)
	h.eventually(func() bool { return len(h.hungUp()) == 1 }, "the hang-up")
	want := goodbyes[call.ReasonMaxDuration][agent.LanguageEnglish]
	if got := h.finals(); len(got) != 1 || got[0] != want {
		t.Errorf("agent said %q, want only the built-in goodbye", got)
	}
}

// TestSilenceTimeout: a silent caller is asked once whether they are
// still there, and after another silence_timeout the agent says goodbye
// and hangs up.
func TestSilenceTimeout(t *testing.T) {
	start := time.Now()
	h := newHarness(t, func(s *agent.Spec) {
		s.Greeting = ""
		s.SilenceTimeout = agent.Duration(800 * time.Millisecond)
	})
	h.eventually(func() bool { return len(h.finals()) == 1 }, "the prompt")
	if took := time.Since(start); took < 800*time.Millisecond {
		t.Errorf("asked after %v of silence", took)
	}
	h.eventually(func() bool { return len(h.hungUp()) == 1 }, "the hang-up")
	want := []string{silencePrompts[agent.LanguageEnglish], goodbyes[ReasonSilence][agent.LanguageEnglish]}
	if got := h.finals(); len(got) != 2 || got[0] != want[0] || got[1] != want[1] {
		t.Errorf("agent said %q, want %q", got, want)
	}
	if got := h.hungUp(); got[0] != ReasonSilence {
		t.Errorf("hang-up reason %q", got[0])
	}
}

// TestSpeechResetsSilence: a caller who answers the prompt is asked again
// after the next silence, not hung up on.
func TestSpeechResetsSilence(t *testing.T) {
	h := newHarness(t, func(s *agent.Spec) {
		s.Greeting = ""
		s.SilenceTimeout = agent.Duration(800 * time.Millisecond)
		s.SilencePrompt = "Still there?"
	})
	h.eventually(func() bool { return len(h.finals()) == 1 }, "the prompt")
	h.talk(time.Second, true)
	h.talk(600*time.Millisecond, false)
	h.eventually(func() bool { return len(h.finals()) == 3 }, "the answer, then the prompt again")
	want := []string{"Still there?", "Your order arrives tomorrow. Anything else?", "Still there?"}
	if got := h.finals(); got[0] != want[0] || got[1] != want[1] || got[2] != want[2] {
		t.Errorf("agent said %q, want %q", got, want)
	}
	if got := h.hungUp(); len(got) != 0 {
		t.Errorf("hung up (%q) on a caller who answered", got)
	}
}

// TestMaxDurationCountsFromConnect: a conversation started again for a
// call that connected earlier (a new offer) keeps the call's clock.
func TestMaxDurationCountsFromConnect(t *testing.T) {
	h := newHarnessPrep(t, newFakeProviders(), func(s *agent.Spec) {
		s.Greeting = "Hello, thanks for calling."
		s.MaxDuration = agent.Duration(time.Hour)
	}, func(h *harness) { h.connectedAt = time.Now().Add(-time.Hour + time.Second) })
	h.eventually(func() bool { return len(h.hungUp()) == 1 }, "the hang-up a second later, not an hour")
	if got := h.hungUp(); got[0] != call.ReasonMaxDuration {
		t.Errorf("hang-up reason %q", got[0])
	}
}

func TestPhraseByBaseLanguage(t *testing.T) {
	tests := []struct {
		own  string
		lang agent.Language
		want string
	}{
		{"", "en", apologies[agent.LanguageEnglish]},
		{"", "en-GB", apologies[agent.LanguageEnglish]},
		{"", "ko", apologies[agent.LanguageKorean]},
		{"", "ko-KR", apologies[agent.LanguageKorean]},
		{"", "pt-BR", apologies[agent.LanguageEnglish]}, // no built-in: English
		{"", "auto", apologies[agent.LanguageEnglish]},
		{"Un moment.", "fr", "Un moment."},
	}
	for _, tt := range tests {
		t.Run(string(tt.lang), func(t *testing.T) {
			if got := phrase(tt.own, apologies, tt.lang); got != tt.want {
				t.Errorf("phrase(%q, %s) = %q, want %q", tt.own, tt.lang, got, tt.want)
			}
		})
	}
}
