package pipeline

import (
	"context"
	"io"
	"log/slog"
	"testing"
	"time"

	"github.com/parleyhq/parley/runtime/agent"
	"github.com/parleyhq/parley/runtime/call"
	"github.com/parleyhq/parley/runtime/live"
	"github.com/parleyhq/parley/runtime/media"
	"github.com/parleyhq/parley/runtime/store"
	"github.com/parleyhq/parley/runtime/vars"
)

// TestSystemPromptRendered: the chat provider gets the system prompt with
// the call's values, not the template.
func TestSystemPromptRendered(t *testing.T) {
	h := newHarness(t, func(s *agent.Spec) {
		s.Greeting = ""
		s.SystemPrompt = "You are {{agent_name}} on call {{call_id}}, a {{weekday}}."
	})
	h.talk(200*time.Millisecond, false)
	h.talk(time.Second, true)
	h.talk(600*time.Millisecond, false)
	h.eventually(func() bool { return len(h.st.all()) == 2 }, "the answer stored")
	want := "You are t on call c1, a " + time.Now().UTC().Weekday().String() + "."
	if got, _ := h.f.prompt.Load().(string); got != want {
		t.Errorf("system prompt sent = %q, want %q", got, want)
	}
}

// TestGreetingWithVariables: each call is greeted with its own values, and
// such greetings stay out of the speech cache.
func TestGreetingWithVariables(t *testing.T) {
	f := newFakeProviders()
	e, err := New(Config{Providers: f, Store: &memStore{}, NewVAD: func() (VADStream, error) { return &energyVAD{}, nil },
		Log: slog.New(slog.NewTextHandler(io.Discard, nil))})
	if err != nil {
		t.Fatal(err)
	}
	spec := agent.Defaults()
	spec.Name, spec.Language, spec.Version = "t", agent.LanguageEnglish, "v1"
	spec.SystemPrompt = "Help {{customer}}."
	spec.Greeting = "Hello {{customer}}."
	spec.Variables = map[string]agent.Variable{"customer": {Type: vars.TypeString}}
	greet := func(id, customer string) string {
		st := &memStore{}
		e.cfg.Store = st
		p, err := media.NewPlayer(16000, &recWriter{})
		if err != nil {
			t.Fatal(err)
		}
		defer p.Close()
		c := &call.Call{ID: id, Variables: map[string]any{"customer": customer}}
		conv, err := e.Start(context.Background(), c, &spec, live.Line{Player: p, Emit: func(string, map[string]any) {}, Hangup: func(string) {}})
		if err != nil {
			t.Fatal(err)
		}
		deadline := time.Now().Add(10 * time.Second)
		for len(st.all()) == 0 && time.Now().Before(deadline) {
			time.Sleep(10 * time.Millisecond)
		}
		conv.Close()
		turns := st.all()
		if len(turns) == 0 || turns[0].Role != store.RoleAssistant {
			t.Fatalf("no greeting stored: %v", turns)
		}
		return turns[0].Text
	}
	if got := greet("c1", "Ada"); got != "Hello Ada." {
		t.Errorf("first greeting %q", got)
	}
	if got := greet("c2", "Bob"); got != "Hello Bob." {
		t.Errorf("second greeting %q", got)
	}
	if n := f.ttsCalls.Load(); n != 2 {
		t.Errorf("greetings synthesised %d times, want once per call", n)
	}
	e.speech.mu.Lock()
	cached := len(e.speech.m)
	e.speech.mu.Unlock()
	if cached != 0 {
		t.Errorf("%d greetings with variables cached, want none", cached)
	}
}
