package pipeline

import (
	"io"
	"net/http/httptest"
	"regexp"
	"strconv"
	"testing"
	"time"

	"github.com/parleyhq/parley/runtime/agent"
)

// speculations returns parley_speculative_replies_total of outcome.
func (h *harness) speculations(outcome string) int {
	rec := httptest.NewRecorder()
	h.metrics.Handler().ServeHTTP(rec, httptest.NewRequest("GET", "/metrics", nil))
	body, _ := io.ReadAll(rec.Body)
	m := regexp.MustCompile(`parley_speculative_replies_total\{agent="t",outcome="` + outcome + `"\} (\d+)`).FindSubmatch(body)
	if m == nil {
		return 0
	}
	n, _ := strconv.Atoi(string(m[1]))
	return n
}

// TestSpeculativeReplyConfirmed: without partials, the end of a question
// is not known from its words until the final transcript; the final is
// asked for at min_silence, says the question is finished, and the reply
// written from it plays at once.
func TestSpeculativeReplyConfirmed(t *testing.T) {
	h := newHarness(t, adaptive)
	h.f.noPartials.Store(true)
	h.f.heard.Store("where is my order")
	h.say(time.Second, true)
	h.talk(1500*time.Millisecond, false)
	h.eventually(func() bool { return len(h.finals()) == 1 }, "the reply")
	if started, confirmed := h.speculations("started"), h.speculations("confirmed"); started != 1 || confirmed != 1 {
		t.Errorf("speculations started %d, confirmed %d; want 1 and 1", started, confirmed)
	}
	turns := h.userTurnsStored()
	h.eventually(func() bool { turns = h.userTurnsStored(); return len(turns) == 1 }, "the turn stored")
	// The turn waited for the final (up to max_silence, 1.5 s) and its
	// words ended the wait when they came: about min_silence plus the
	// final's latency.
	if w := turns[0].Timings.EndOfTurnWait; w >= time.Second {
		t.Errorf("waited %v: the final's words did not end the wait", w)
	}
	if n := h.f.chats.Load(); n != 1 {
		t.Errorf("chat requests %d, want 1", n)
	}
}

// TestSpeculativeReplyDiscarded: the caller pauses after "my order number
// is" and goes on; the reply written in the pause is dropped unheard, and
// the turn is answered once, with all of its audio sent to STT again.
func TestSpeculativeReplyDiscarded(t *testing.T) {
	h := newHarness(t, adaptive)
	h.f.noPartials.Store(true)
	h.f.heard.Store("my order number is")
	h.say(time.Second, false)
	h.talk(800*time.Millisecond, false) // speculation at 200 ms, its final says unfinished
	h.eventually(func() bool { return h.speculations("started") == 1 }, "a speculative reply")
	if len(h.w.frames()) != 0 {
		t.Fatalf("the speculative reply played before its turn was confirmed")
	}
	h.say(time.Second, true)
	if h.speculations("discarded") != 1 {
		t.Fatalf("speculation not discarded when the caller went on: started %d, discarded %d",
			h.speculations("started"), h.speculations("discarded"))
	}
	h.f.heard.Store("my order number is four five six seven")
	h.talk(2*time.Second, false)
	h.eventually(func() bool { return len(h.finals()) == 1 }, "the reply")
	if n := len(h.userTurnsStored()); n != 1 {
		t.Errorf("caller turns %d, want 1", n)
	}
	// The last utterance STT heard holds the whole turn: 1 s, the pause,
	// 1 s (and the pre-roll), not only what came after the pause.
	if got := time.Duration(h.f.utterance.Load()) * time.Second / 16000; got < 2700*time.Millisecond {
		t.Errorf("the turn's last utterance to STT was %v, want the whole turn (about 3 s)", got)
	}
	if h.speculations("confirmed") > 1 {
		t.Errorf("confirmed %d", h.speculations("confirmed"))
	}
}

// TestSpeculationOff: turn_taking.speculate false asks for the final only
// at the end of the turn.
func TestSpeculationOff(t *testing.T) {
	h := newHarness(t, func(s *agent.Spec) { adaptive(s); s.TurnTaking.Speculate = false })
	h.f.noPartials.Store(true)
	h.say(time.Second, true)
	h.talk(1500*time.Millisecond, false)
	h.eventually(func() bool { return len(h.finals()) == 1 }, "the reply")
	if n := h.speculations("started"); n != 0 {
		t.Errorf("speculations started %d with speculate off", n)
	}
}

// TestSpeculativeReplyFails: a speculative reply whose chat request fails
// is dropped like any other; the turn is answered when it is confirmed.
func TestSpeculativeReplyFails(t *testing.T) {
	h := newHarness(t, adaptive)
	h.f.noPartials.Store(true)
	h.f.heard.Store("my order number is four five six seven")
	h.f.chatFail.Store(1) // the speculative request
	h.say(time.Second, false)
	h.talk(2500*time.Millisecond, false)
	h.eventually(func() bool { return len(h.finals()) == 1 }, "the reply")
	if got := h.finals()[0]; got != h.f.reply.Load().(string) {
		t.Errorf("replied %q, want the chat's answer (not an apology)", got)
	}
	if n := h.f.chats.Load(); n != 1 { // the failed one is not counted by the fake
		t.Errorf("answered chat requests %d, want 1", n)
	}
}

// TestSpeculativeFinalRewritingItsPartial: the partial says the turn is
// unfinished ("log in by"); the speculation's final rewrites its end into
// a clause that sounds finished ("log in blood"). The recogniser was
// unsure of the last words: the turn still waits as an unfinished one.
func TestSpeculativeFinalRewritingItsPartial(t *testing.T) {
	h := newHarness(t, adaptive)
	if w := h.storedWait("i tried to log in by", "i tried to log in blood", false, 2500*time.Millisecond); w < time.Second {
		t.Errorf("waited %v: the final's rewritten last word ended the turn", w)
	}
}
