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

// withTools gives the harness's agent an http tool against url, an
// end_call and a transfer_call.
func withTools(url string) func(*agent.Spec) {
	return func(s *agent.Spec) {
		s.Greeting = ""
		s.Tools = []agent.Tool{
			{Name: "lookup_order", Description: "Looks up an order.", HTTP: &agent.HTTPAction{URL: url + "/orders/{{order}}"},
				Parameters: map[string]any{"type": "object", "properties": map[string]any{"order": map[string]any{"type": "string"}}},
				Filler:     []string{"One moment please."}, FillerAfter: agent.Duration(100 * time.Millisecond)},
			{Name: "transfer", TransferCall: &agent.TransferAction{Destinations: map[string]string{"sales": "+4930123456"}}},
		}
		// Validate compiles the tools' parameters (the harness's fake
		// providers need no names; the validator does).
		s.Providers = agent.Providers{STT: agent.Provider{Plugin: "fake"}, Chat: agent.Provider{Plugin: "fake"}, TTS: agent.Provider{Plugin: "fake"}}
		if err := s.Validate(); err != nil {
			panic(err)
		}
	}
}

// TestAgentUsesATool: the model calls an http tool mid-turn; the filler
// plays while it is slow, the clients see the call start and end, the
// model answers with its result, and the stored agent turn holds the call.
func TestAgentUsesATool(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		time.Sleep(300 * time.Millisecond) // slow enough for the filler
		_, _ = io.WriteString(w, `{"order":"`+r.URL.Path[len("/orders/"):]+`","status":"shipped"}`)
	}))
	t.Cleanup(srv.Close)
	f := newFakeProviders()
	f.tool.Store("lookup_order")
	f.toolArgs.Store(`{"order": "12345"}`)
	h := newHarnessWith(t, f, withTools(srv.URL))
	h.talk(time.Second, true)
	h.talk(600*time.Millisecond, false)
	h.eventually(func() bool { return len(h.st.all()) == 2 }, "the turn stored")
	bot := h.st.all()[1]
	if bot.Role != store.RoleAssistant || len(bot.ToolCalls) != 1 {
		t.Fatalf("agent turn %+v", bot)
	}
	tc := bot.ToolCalls[0]
	if tc.Name != "lookup_order" || tc.Arguments != `{"order": "12345"}` || tc.Result != `{"order":"12345","status":"shipped"}` || tc.Error != "" || tc.Duration < 300*time.Millisecond {
		t.Errorf("tool call %+v", tc)
	}
	if want := `Let me check. The tool said {"order":"12345","status":"shipped"}`; bot.Text != want {
		t.Errorf("agent said %q, want %q", bot.Text, want)
	}
	if !h.has(EventToolCall, func(p map[string]any) bool { return p["state"] == ToolRunning && p["name"] == "lookup_order" }) ||
		!h.has(EventToolCall, func(p map[string]any) bool {
			return p["state"] == ToolSucceeded && p["result"] == tc.Result && p["durationMs"].(float64) >= 300
		}) {
		t.Errorf("tool-call events missing: %v", h.names())
	}
	if f.ttsCalls.Load() < 3 { // "Let me check.", the filler, the answer
		t.Errorf("TTS asked %d times; the filler was not spoken", f.ttsCalls.Load())
	}
}

// TestToolFailureIsToldToTheModel: a tool that fails does not end the
// call; the model hears the error and answers.
func TestToolFailureIsToldToTheModel(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		http.Error(w, "no such order", http.StatusNotFound)
	}))
	t.Cleanup(srv.Close)
	f := newFakeProviders()
	f.tool.Store("lookup_order")
	f.toolArgs.Store(`{"order": "1"}`)
	h := newHarnessWith(t, f, withTools(srv.URL))
	h.talk(time.Second, true)
	h.talk(600*time.Millisecond, false)
	h.eventually(func() bool { return len(h.st.all()) == 2 }, "the turn stored")
	tc := h.st.all()[1].ToolCalls[0]
	if tc.Error == "" || tc.Result != "" {
		t.Fatalf("tool call %+v", tc)
	}
	if !h.has(EventToolCall, func(p map[string]any) bool { return p["state"] == ToolFailed }) {
		t.Errorf("no failed tool-call event: %v", h.names())
	}
	h.mu.Lock()
	defer h.mu.Unlock()
	if len(h.hangups) != 0 {
		t.Errorf("the call ended: %v", h.hangups)
	}
}

// TestTransferEndsTheAgentsLeg: transfer_call records and emits the target
// and ends the call with reason transferred once the reply is spoken.
func TestTransferEndsTheAgentsLeg(t *testing.T) {
	f := newFakeProviders()
	f.tool.Store("transfer")
	f.toolArgs.Store(`{"destination": "sales"}`)
	h := newHarnessWith(t, f, withTools("http://127.0.0.1:1"))
	h.talk(time.Second, true)
	h.talk(600*time.Millisecond, false)
	h.eventually(func() bool { h.mu.Lock(); defer h.mu.Unlock(); return len(h.hangups) == 1 }, "the transfer")
	h.mu.Lock()
	reason := h.hangups[0]
	h.mu.Unlock()
	if reason != ReasonTransferred {
		t.Errorf("hang-up reason %q", reason)
	}
	if !h.has(EventTransfer, func(p map[string]any) bool { return p["target"] == "+4930123456" && p["destination"] == "sales" }) {
		t.Errorf("no call-transferred event: %v", h.names())
	}
	h.eventually(func() bool { return len(h.st.all()) == 2 }, "the turn stored")
	if tc := h.st.all()[1].ToolCalls; len(tc) != 1 || tc[0].Name != "transfer" {
		t.Errorf("tool calls %+v", tc)
	}
}

// TestLanguageAutoFollowsTheCaller: an agent with language auto answers
// in the language the STT heard (live calls used to ignore it).
func TestLanguageAutoFollowsTheCaller(t *testing.T) {
	f := newFakeProviders()
	f.heardLang.Store("ko")
	h := newHarnessWith(t, f, func(s *agent.Spec) { s.Language = agent.LanguageAuto; s.Greeting = "" })
	h.talk(time.Second, true)
	h.talk(600*time.Millisecond, false)
	h.eventually(func() bool { return len(h.st.all()) == 2 }, "the answer")
	if _, ok := f.ttsLangs.Load("ko"); !ok {
		t.Errorf("TTS was not asked in ko")
	}
	if _, ok := f.ttsLangs.Load("auto"); ok {
		t.Errorf("TTS was asked in auto")
	}
}
