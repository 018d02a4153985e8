package pipeline

import (
	"context"
	"io"
	"log/slog"
	"math"
	"testing"
	"time"

	"github.com/parleyhq/parley/runtime/agent"
	"github.com/parleyhq/parley/runtime/call"
	"github.com/parleyhq/parley/runtime/live"
	"github.com/parleyhq/parley/runtime/media"
	"github.com/parleyhq/parley/runtime/metrics"
	"github.com/parleyhq/parley/runtime/store"
)

// adaptive makes the harness's agent wait adaptively, 200 ms to 1.5 s.
func adaptive(s *agent.Spec) {
	s.Greeting = ""
	s.TurnTaking.EndOfTurnSilence = 0
	s.TurnTaking.MinSilence = agent.Duration(200 * time.Millisecond)
	s.TurnTaking.MaxSilence = agent.Duration(1500 * time.Millisecond)
	s.TurnTaking.Eagerness = "medium"
}

// say feeds d of a voiced sound (five harmonics) in 20 ms frames in real
// time; when falling, its pitch and loudness fall over the last 300 ms,
// as at the end of a statement, otherwise they hold level.
func (h *harness) say(d time.Duration, falling bool) {
	frame := make([]int16, 320)
	tick := time.NewTicker(20 * time.Millisecond)
	defer tick.Stop()
	total := d.Seconds()
	phase := 0.0
	for i := range int(d / (20 * time.Millisecond)) {
		for j := range frame {
			t := float64(i*320+j) / 16000
			f0, amp := 180.0, 1.0
			if falling && t > total-0.3 {
				k := (t - (total - 0.3)) / 0.3
				f0, amp = 180-50*k, 1-0.7*k
			}
			phase += 2 * math.Pi * f0 / 16000
			var v float64
			for n := 1.0; n <= 5; n++ {
				v += math.Sin(n*phase) / n
			}
			frame[j] = int16(4000 * amp * v)
		}
		h.conv.WriteFrame(frame)
		<-tick.C
	}
}

// storedWait says a second of speech (falling or level at its end) whose
// partial and final transcripts are partial and final, stays silent for
// silence and returns the end-of-turn wait stored for the turn.
func (h *harness) storedWait(partial, final string, falling bool, silence time.Duration) time.Duration {
	h.t.Helper()
	h.f.partial.Store(partial)
	h.f.heard.Store(final)
	h.say(time.Second, falling)
	h.talk(silence, false)
	h.eventually(func() bool { return len(h.userTurnsStored()) == 1 }, "the caller's turn stored")
	return h.userTurnsStored()[0].Timings.EndOfTurnWait
}

// userTurnsStored returns the caller's stored turns.
func (h *harness) userTurnsStored() []*store.Turn {
	var out []*store.Turn
	for _, tr := range h.st.all() {
		if tr.Role == store.RoleUser {
			out = append(out, tr)
		}
	}
	return out
}

// TestAdaptiveWaitAnswersAFinishedQuestionSoon: a question that sounds
// finished is answered after about min_silence, not a fixed wait.
func TestAdaptiveWaitAnswersAFinishedQuestionSoon(t *testing.T) {
	h := newHarness(t, adaptive)
	// min_silence, and the speculation's final transcript it waits for
	// (the fake's 20 ms, more on a busy machine): well under a fixed wait.
	wait := h.storedWait("where is my order", "where is my order", true, time.Second)
	if wait < 200*time.Millisecond || wait > 450*time.Millisecond {
		t.Errorf("waited %v after a finished question, want about min_silence (200 ms)", wait)
	}
}

// TestAdaptiveWaitWaitsOutAPause: a pause after "my order number is" is
// not the end of the turn; the caller goes on and is answered once, at the
// end of the whole sentence.
func TestAdaptiveWaitWaitsOutAPause(t *testing.T) {
	h := newHarness(t, adaptive)
	h.f.partial.Store("my order number is")
	h.f.heard.Store("my order number is") // the final a speculation asks for at the pause
	h.say(time.Second, false)
	h.talk(600*time.Millisecond, false) // three times min_silence
	h.f.partial.Store("my order number is four five six seven")
	h.f.heard.Store("my order number is four five six seven")
	h.say(time.Second, true)
	h.talk(1500*time.Millisecond, false)
	h.eventually(func() bool { return len(h.finals()) == 1 }, "the agent's answer")
	h.talk(time.Second, false) // a second turn would have come by now
	turns := h.userTurnsStored()
	if len(turns) != 1 {
		t.Fatalf("caller turns %d, want 1 (the pause cut the sentence): %v", len(turns), h.st.all())
	}
	if wait := turns[0].Timings.EndOfTurnWait; wait > 500*time.Millisecond {
		t.Errorf("waited %v at the end of the sentence, want near min_silence", wait)
	}
	if d := turns[0].Timings.SpeechEnd.Sub(turns[0].Timings.SpeechStart); d < 2200*time.Millisecond {
		t.Errorf("the turn's speech lasted %v, want the whole sentence (about 2.6 s)", d)
	}
}

// TestAdaptiveWaitGivesUpAtMaxSilence: a caller who stops after an
// unfinished phrase is answered after max_silence.
func TestAdaptiveWaitGivesUpAtMaxSilence(t *testing.T) {
	h := newHarness(t, adaptive)
	wait := h.storedWait("I want to change my", "I want to change my", false, 2500*time.Millisecond)
	if wait < 1300*time.Millisecond || wait > 1500*time.Millisecond {
		t.Errorf("waited %v after an unfinished phrase, want about max_silence (1.5 s)", wait)
	}
}

// TestFixedWaitIsStored: end_of_turn_silence keeps its fixed wait, and the
// stored turn says so.
func TestFixedWaitIsStored(t *testing.T) {
	h := newHarness(t, func(s *agent.Spec) { s.Greeting = "" })
	h.f.partial.Store("my order number is")
	h.say(time.Second, false)
	h.talk(time.Second, false)
	h.eventually(func() bool { return len(h.userTurnsStored()) == 1 }, "the caller's turn stored")
	if wait := h.userTurnsStored()[0].Timings.EndOfTurnWait; wait != 400*time.Millisecond {
		t.Errorf("stored wait %v, want the fixed 400 ms", wait)
	}
}

// TestAdaptiveWaitMaxTurn: a caller who never stops is still cut at
// max_turn, however unfinished they sound.
func TestAdaptiveWaitMaxTurn(t *testing.T) {
	h := newHarness(t, func(s *agent.Spec) { adaptive(s); s.TurnTaking.MaxTurn = agent.Duration(2 * time.Second) })
	h.f.partial.Store("and then I went to the")
	h.f.heard.Store("and then I went to the")
	h.say(3500*time.Millisecond, false)
	h.eventually(func() bool { return len(h.userTurnsStored()) >= 1 }, "the turn cut at max_turn")
	if d := h.userTurnsStored()[0].Timings.SpeechEnd.Sub(h.userTurnsStored()[0].Timings.SpeechStart); d > 2500*time.Millisecond {
		t.Errorf("turn of %v, want it cut at max_turn (2 s)", d)
	}
}

// TestEndOfTurnDeadlineReArmedByAQueuedFrame: the min_silence deadline
// fires while frames are still queued, and one of them reaches
// min_silence itself: the wait is decided there (held for the
// speculation's final, so max_silence) and re-armed. The deadline that
// fired is then stale and the turn goes on. The loop once compared the
// deadline armed after the frames, took it for the one that fired and
// ended the turn at min_silence, unanswered until the final came (a busy
// machine, where timers and frames land together, showed it).
func TestEndOfTurnDeadlineReArmedByAQueuedFrame(t *testing.T) {
	f := newFakeProviders()
	f.noPartials.Store(true)
	f.heard.Store("my order number is")
	e, err := New(Config{Providers: f, Store: &memStore{}, NewVAD: func() (VADStream, error) { return &energyVAD{}, nil },
		Log: slog.New(slog.NewTextHandler(io.Discard, nil)), Metrics: metrics.New()})
	if err != nil {
		t.Fatal(err)
	}
	spec := agent.Defaults()
	spec.Name, spec.Language = "t", agent.LanguageEnglish
	adaptive(&spec)
	c, err := e.newConversation(context.Background(), &call.Call{ID: "c1"}, &spec, live.Line{})
	if err != nil {
		t.Fatal(err)
	}
	defer func() { c.cancel(); c.closeListener(); c.turns.close(); c.life.stop() }()
	// This goroutine is the conversation's loop: it hears the frames and
	// handles the deadline itself.
	frame := func(loud bool) *frame {
		fr := &frame{at: time.Now()}
		if loud {
			for j := range fr.pcm {
				fr.pcm[j] = int16(5000 * math.Sin(2*math.Pi*200*float64(j)/16000))
			}
		}
		return fr
	}
	for range 50 {
		c.hear(frame(true))
	}
	l := &c.lis
	if l.turn == nil {
		t.Fatal("a second of speech did not start a turn")
	}
	due, _ := l.det.Due()
	for l.pos+2*media.SinkFrameSamples < due {
		c.hear(frame(false))
		due, _ = l.det.Due() // the last windows of speech are scored late
	}
	if !l.det.Deciding() || l.eotPos != due {
		t.Fatalf("the min_silence deadline is not armed: deciding %v, armed at %d, due at %d", l.det.Deciding(), l.eotPos, due)
	}
	for range 3 { // they reach min_silence: the wait is decided in the drain
		c.frames <- frame(false)
	}
	c.endOfTurnDue() // the min_silence deadline fires
	if l.turn == nil {
		t.Fatal("the turn ended at the min_silence deadline, after its wait was decided longer")
	}
	if now, _ := l.det.Due(); now <= due || l.eotPos != now {
		t.Errorf("the decided wait is not armed: due at %d (min_silence at %d), armed at %d", now, due, l.eotPos)
	}
}
