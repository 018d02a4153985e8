package pipeline

import (
	"context"
	"io"
	"log/slog"
	"math"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"go.uber.org/goleak"

	"github.com/parleyhq/parley/runtime/agent"
	"github.com/parleyhq/parley/runtime/call"
	"github.com/parleyhq/parley/runtime/fault"
	"github.com/parleyhq/parley/runtime/live"
	"github.com/parleyhq/parley/runtime/media"
	"github.com/parleyhq/parley/runtime/metrics"
	"github.com/parleyhq/parley/runtime/store"
)

// recWriter is the caller's ear: it records when speech frames were sent.
type recWriter struct {
	mu     sync.Mutex
	speech []time.Time
}

func (w *recWriter) WriteFrame(_ []int16, silent bool) error {
	if !silent {
		w.mu.Lock()
		w.speech = append(w.speech, time.Now())
		w.mu.Unlock()
	}
	return nil
}

func (w *recWriter) frames() []time.Time {
	w.mu.Lock()
	defer w.mu.Unlock()
	return append([]time.Time(nil), w.speech...)
}

type event struct {
	name    string
	payload map[string]any
}

type harness struct {
	t       *testing.T
	f       *fakeProviders
	st      *memStore
	w       *recWriter
	player  *media.Player
	metrics *metrics.Metrics
	conv    live.Conversation
	mu      sync.Mutex
	events  []event
	hangups []string
	faults  []*fault.Panic
	vadBug  atomic.Bool
	maxDur  time.Duration // the runtime's max duration (Config.MaxDuration)
	// connectedAt is when the call reached IN_PROGRESS; zero for now.
	connectedAt time.Time
}

func newHarness(t *testing.T, edit func(*agent.Spec)) *harness {
	t.Helper()
	return newHarnessWith(t, newFakeProviders(), edit)
}

func newHarnessWith(t *testing.T, f *fakeProviders, edit func(*agent.Spec)) *harness {
	t.Helper()
	return newHarnessPrep(t, f, edit, nil)
}

// newHarnessPrep is newHarnessWith with prep run on the harness before the
// conversation starts (to make its store hang, for example).
func newHarnessPrep(t *testing.T, f *fakeProviders, edit func(*agent.Spec), prep func(*harness)) *harness {
	t.Helper()
	t.Cleanup(func() { goleak.VerifyNone(t, goleak.IgnoreCurrent()) })
	spec := agent.Defaults()
	spec.Name, spec.Language, spec.SystemPrompt = "t", agent.LanguageEnglish, "be brief"
	spec.Greeting = "Hello, thanks for calling."
	spec.TurnTaking.EndOfTurnSilence = agent.Duration(400 * time.Millisecond)
	spec.TurnTaking.BargeIn = true
	if edit != nil {
		edit(&spec)
	}
	h := &harness{t: t, f: f, st: &memStore{}, w: &recWriter{}}
	if prep != nil {
		prep(h)
	}
	var err error
	if h.player, err = media.NewPlayer(16000, h.w); err != nil {
		t.Fatal(err)
	}
	log := slog.New(slog.NewTextHandler(io.Discard, nil))
	if testing.Verbose() {
		log = slog.New(slog.NewTextHandler(tlog{t}, &slog.HandlerOptions{Level: slog.LevelDebug}))
	}
	h.metrics = metrics.New()
	e, err := New(Config{Providers: h.f, Store: h.st, NewVAD: func() (VADStream, error) { return &energyVAD{bug: &h.vadBug}, nil },
		MaxDuration: h.maxDur, Log: log, Metrics: h.metrics})
	if err != nil {
		t.Fatal(err)
	}
	line := live.Line{
		Player: h.player,
		Emit: func(name string, p map[string]any) {
			h.mu.Lock()
			h.events = append(h.events, event{name, p})
			h.mu.Unlock()
		},
		Hangup: func(reason string) { h.mu.Lock(); h.hangups = append(h.hangups, reason); h.mu.Unlock() },
		Fault:  func(p *fault.Panic) { h.mu.Lock(); h.faults = append(h.faults, p); h.mu.Unlock() },
	}
	h.conv, err = e.Start(context.Background(), &call.Call{ID: "c1", ConnectedAt: h.connectedAt}, &spec, line)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { h.conv.Close(); h.player.Close() })
	return h
}

type tlog struct{ t *testing.T }

func (l tlog) Write(p []byte) (int, error) { l.t.Log(strings.TrimSpace(string(p))); return len(p), nil }

// talk feeds d of tone (or silence) as 20 ms frames in real time.
func (h *harness) talk(d time.Duration, loud bool) {
	frame := make([]int16, 320)
	tick := time.NewTicker(20 * time.Millisecond)
	defer tick.Stop()
	for i := range int(d / (20 * time.Millisecond)) {
		for j := range frame {
			if loud {
				frame[j] = int16(5000 * math.Sin(2*math.Pi*200*float64(i*320+j)/16000))
			}
		}
		h.conv.WriteFrame(frame)
		<-tick.C
	}
}

func (h *harness) eventually(cond func() bool, what string) {
	h.t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			h.t.Fatalf("timed out waiting for %s; events %v; turns %v", what, h.names(), h.st.all())
		}
		time.Sleep(10 * time.Millisecond)
	}
}

func (h *harness) names() []string {
	h.mu.Lock()
	defer h.mu.Unlock()
	var out []string
	for _, e := range h.events {
		out = append(out, e.name+":"+strings.TrimSpace(strings.Join([]string{str(e.payload["state"]), str(e.payload["text"])}, " ")))
	}
	return out
}

func str(v any) string {
	s, _ := v.(string)
	return s
}

func (h *harness) has(name string, match func(map[string]any) bool) bool {
	h.mu.Lock()
	defer h.mu.Unlock()
	for _, e := range h.events {
		if e.name == name && (match == nil || match(e.payload)) {
			return true
		}
	}
	return false
}

func TestGreetingThenAnswer(t *testing.T) {
	h := newHarness(t, nil)
	// The greeting plays and is stored as the agent's first turn.
	h.eventually(func() bool { return len(h.st.all()) == 1 }, "greeting stored")
	g := h.st.all()[0]
	if g.Role != store.RoleAssistant || g.Text != "Hello, thanks for calling." || g.Interrupted {
		t.Fatalf("greeting turn %+v", g)
	}
	h.talk(200*time.Millisecond, false)
	h.talk(time.Second, true)
	h.talk(600*time.Millisecond, false)
	h.eventually(func() bool { return len(h.st.all()) == 3 }, "the answer stored")
	turns := h.st.all()
	user, bot := turns[1], turns[2]
	if user.Role != store.RoleUser || user.Text != "where is my order" || user.Sentiment == nil || user.Sentiment.Label != "neutral" {
		t.Errorf("user turn %+v", user)
	}
	if bot.Text != "Your order arrives tomorrow. Anything else?" || bot.Interrupted {
		t.Errorf("agent turn %+v", bot)
	}
	tm := user.Timings
	if tm.SpeechStart.IsZero() || !tm.SpeechEnd.After(tm.SpeechStart) || tm.FirstPacket.Before(tm.SpeechEnd) {
		t.Errorf("timings %+v", tm)
	}
	spoke := tm.SpeechEnd.Sub(tm.SpeechStart)
	if spoke < 800*time.Millisecond || spoke > 1300*time.Millisecond {
		t.Errorf("speech measured %v, spoken 1 s", spoke)
	}
	if tm.STTFinalDelay < 20*time.Millisecond || tm.ChatFirstToken < 20*time.Millisecond || tm.TTSFirstAudio <= 0 {
		t.Errorf("provider timings %+v", tm)
	}
	latency := tm.FirstPacket.Sub(tm.SpeechEnd)
	t.Logf("end of speech -> first packet %v; overhead %v (eot 400 ms, stt %v, chat %v, tts %v)", latency, tm.RuntimeOverhead, tm.STTFinalDelay, tm.ChatFirstToken, tm.TTSFirstAudio)
	if tm.RuntimeOverhead < -40*time.Millisecond || tm.RuntimeOverhead > 150*time.Millisecond {
		t.Errorf("overhead %v out of any sane range", tm.RuntimeOverhead)
	}
	for _, want := range []string{"transcript", "agent-response", "sentiment", "agent-speaking"} {
		if !h.has(want, nil) {
			t.Errorf("no %s event: %v", want, h.names())
		}
	}
	if !h.has("transcript", func(p map[string]any) bool { return p["final"] == true && p["text"] == "where is my order" }) {
		t.Errorf("no final transcript: %v", h.names())
	}
}

func TestBargeInStopsTheAgent(t *testing.T) {
	h := newHarness(t, func(s *agent.Spec) {
		s.Greeting = "This greeting is long on purpose. It goes on and on. It has three sentences."
	})
	h.eventually(func() bool { return len(h.w.frames()) > 10 }, "greeting playing")
	start := time.Now()
	h.talk(400*time.Millisecond, true) // past min_speech (200 ms)
	h.eventually(func() bool {
		return h.has("agent-speaking", func(p map[string]any) bool { return p["state"] == "interrupted" })
	}, "interruption")
	frames := h.w.frames()
	last := frames[len(frames)-1]
	if d := last.Sub(start); d > 400*time.Millisecond {
		t.Errorf("agent audio went on %v after the caller started", d)
	}
	h.talk(600*time.Millisecond, false)
	h.eventually(func() bool { return len(h.st.all()) >= 1 }, "interrupted greeting stored")
	g := h.st.all()[0]
	if !g.Interrupted || g.Text == "" || len(g.Text) >= len("This greeting is long on purpose. It goes on and on. It has three sentences.") {
		t.Errorf("interrupted greeting stored as %+v", g)
	}
	t.Logf("stored %q", g.Text)
}

func TestBargeInOff(t *testing.T) {
	h := newHarness(t, func(s *agent.Spec) {
		s.Greeting = "This greeting is long on purpose. It goes on and on."
		s.TurnTaking.BargeIn = false
	})
	h.eventually(func() bool { return len(h.w.frames()) > 10 }, "greeting playing")
	h.talk(500*time.Millisecond, true)
	h.talk(500*time.Millisecond, false)
	h.eventually(func() bool { return len(h.st.all()) == 1 }, "greeting stored")
	if h.st.all()[0].Interrupted || h.has("agent-speaking", func(p map[string]any) bool { return p["state"] == "interrupted" }) {
		t.Fatal("the caller interrupted an agent that does not allow it")
	}
}

func TestProviderFailureApologises(t *testing.T) {
	h := newHarness(t, func(s *agent.Spec) { s.Greeting = "" })
	h.f.chatFail.Store(1)
	h.talk(time.Second, true)
	h.talk(600*time.Millisecond, false)
	h.eventually(func() bool { return len(h.st.all()) == 2 }, "user turn and apology stored")
	if got := h.st.all()[1].Text; got != apologies[agent.LanguageEnglish] {
		t.Errorf("apology %q", got)
	}
	// The next turn works.
	h.talk(time.Second, true)
	h.talk(600*time.Millisecond, false)
	h.eventually(func() bool { return len(h.st.all()) == 4 }, "next turn stored")
	if got := h.st.all()[3].Text; got != "Your order arrives tomorrow. Anything else?" {
		t.Errorf("reply after the failure %q", got)
	}
}

func TestAgentHangsUpAfterGoodbye(t *testing.T) {
	h := newHarness(t, func(s *agent.Spec) { s.Greeting = "" })
	h.f.reply.Store("Thank you, goodbye.")
	h.talk(time.Second, true)
	h.talk(600*time.Millisecond, false)
	h.eventually(func() bool { h.mu.Lock(); defer h.mu.Unlock(); return len(h.hangups) == 1 }, "hang-up")
	if n := len(h.w.frames()); n < 20 {
		t.Errorf("hung up after %d frames of goodbye", n)
	}
}

func TestPauseShorterThanSilenceKeepsOneTurn(t *testing.T) {
	h := newHarness(t, func(s *agent.Spec) { s.Greeting = "" })
	h.talk(500*time.Millisecond, true)
	h.talk(200*time.Millisecond, false) // shorter than 400 ms
	h.talk(500*time.Millisecond, true)
	h.talk(700*time.Millisecond, false)
	h.eventually(func() bool { return len(h.st.all()) == 2 }, "one turn")
	time.Sleep(300 * time.Millisecond)
	if n := len(h.st.all()); n != 2 {
		t.Fatalf("%d turns stored, want one exchange", n)
	}
}

// TestTurnEndsWhenFramesStop: a client that stops sending audio after
// speaking (audio-data without silence, Opus DTX) still gets its answer:
// the end of turn is a deadline on the wall clock, not a count of frames.
func TestTurnEndsWhenFramesStop(t *testing.T) {
	h := newHarness(t, func(s *agent.Spec) { s.Greeting = "" })
	h.talk(200*time.Millisecond, false)
	h.talk(time.Second, true)
	stopped := time.Now()
	h.eventually(func() bool { return len(h.st.all()) == 2 }, "the answer, with no frame after the speech")
	user := h.st.all()[0]
	if user.Role != store.RoleUser || user.Text != "where is my order" {
		t.Fatalf("user turn %+v", user)
	}
	// The turn ended end_of_turn_silence (400 ms) after the speech, not
	// later: the speech ended at most a frame before the frames stopped.
	ended := user.Timings.SpeechEnd
	if d := ended.Sub(stopped); d < -60*time.Millisecond || d > 20*time.Millisecond {
		t.Errorf("speech end placed %v from the last frame", d)
	}
	if d := user.Timings.FirstPacket.Sub(stopped); d < 400*time.Millisecond {
		t.Errorf("answered %v after the last frame, before the end-of-turn silence", d)
	}
}

func TestGreetingIsSynthesisedOnce(t *testing.T) {
	f := newFakeProviders()
	e, err := New(Config{Providers: f, Store: &memStore{}, NewVAD: func() (VADStream, error) { return &energyVAD{}, nil },
		Log: slog.New(slog.NewTextHandler(io.Discard, nil))})
	if err != nil {
		t.Fatal(err)
	}
	spec := agent.Defaults()
	spec.Name, spec.Language, spec.Greeting, spec.Version = "t", agent.LanguageEnglish, "Hello there.", "v1"
	heard := func() *recWriter {
		w := &recWriter{}
		p, err := media.NewPlayer(16000, w)
		if err != nil {
			t.Fatal(err)
		}
		defer p.Close()
		conv, err := e.Start(context.Background(), &call.Call{ID: "c"}, &spec, live.Line{Player: p, Emit: func(string, map[string]any) {}, Hangup: func(string) {}})
		if err != nil {
			t.Fatal(err)
		}
		defer conv.Close()
		deadline := time.Now().Add(10 * time.Second)
		for len(w.frames()) < 20 && time.Now().Before(deadline) {
			time.Sleep(10 * time.Millisecond)
		}
		return w
	}
	a, b := heard(), heard()
	if len(a.frames()) < 20 || len(b.frames()) < 20 {
		t.Fatalf("greeting frames %d and %d", len(a.frames()), len(b.frames()))
	}
	if n := f.ttsCalls.Load(); n != 1 {
		t.Errorf("the greeting was synthesised %d times", n)
	}
}
