package turn

import (
	"context"
	"encoding/json"
	"errors"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/parleyhq/parley/runtime/agent"
	"github.com/parleyhq/parley/runtime/provider"
	"github.com/parleyhq/parley/runtime/store"
)

// scriptChat answers each request with the next scripted reply and keeps
// the requests.
type scriptChat struct {
	mu      sync.Mutex
	replies [][]provider.ChatDelta
	reqs    []provider.ChatRequest
}

func (c *scriptChat) Complete(ctx context.Context, req provider.ChatRequest) (provider.Stream[provider.ChatDelta], error) {
	c.mu.Lock()
	c.reqs = append(c.reqs, req)
	var deltas []provider.ChatDelta
	if len(c.replies) > 0 {
		deltas, c.replies = c.replies[0], c.replies[1:]
	} else {
		deltas = []provider.ChatDelta{{Text: "Done."}}
	}
	c.mu.Unlock()
	return provider.Produce(ctx, func(ctx context.Context, send func(provider.ChatDelta) error) error {
		for _, d := range deltas {
			if err := send(d); err != nil {
				return err
			}
		}
		return nil
	}), nil
}

func (c *scriptChat) requests() []provider.ChatRequest {
	c.mu.Lock()
	defer c.mu.Unlock()
	return append([]provider.ChatRequest(nil), c.reqs...)
}

// sink records what the engine produced.
type sink struct {
	mu      sync.Mutex
	said    []string
	fillers []string
	events  []ToolEvent
	deltas  strings.Builder
}

func (s *sink) Delta(t string) { s.mu.Lock(); s.deltas.WriteString(t); s.mu.Unlock() }
func (s *sink) Say(_ context.Context, t string) error {
	s.mu.Lock()
	s.said = append(s.said, t)
	s.mu.Unlock()
	return nil
}
func (s *sink) Filler(_ context.Context, t string) error {
	s.mu.Lock()
	s.fillers = append(s.fillers, t)
	s.mu.Unlock()
	return nil
}
func (s *sink) Tool(ev ToolEvent) { s.mu.Lock(); s.events = append(s.events, ev); s.mu.Unlock() }

// quiet is an Engine that logs nothing.
func quiet() *Engine { return New(WithLogger(slog.New(slog.DiscardHandler))) }

func call(id, name, args string) provider.ChatDelta {
	return provider.ChatDelta{ToolCalls: []provider.ToolCall{{ID: id, Name: name, Arguments: args}}}
}

func testSpec(t *testing.T, base string) *agent.Spec {
	t.Helper()
	y := `name: shop
language: auto
system_prompt: You help.
history: {max_turns: 4}
providers:
  stt: {plugin: x}
  chat: {plugin: x, options: {model: m}}
  tts: {plugin: x}
tools:
  - name: weather
    description: Weather in a city.
    parameters: {type: object, properties: {city: {type: string}}, required: [city]}
    http: {url: "` + base + `/weather/{{city}}"}
  - name: slow
    description: Slow.
    http: {url: "` + base + `/slow", timeout: 300ms}
    filler: [Hold on., Still looking.]
    filler_after: 50ms
  - {name: bye, end_call: {}}
`
	s, err := agent.Parse("shop.yaml", []byte(y))
	require.NoError(t, err)
	return s
}

func server(t *testing.T) string {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path == "/slow" {
			select {
			case <-time.After(2 * time.Second):
			case <-r.Context().Done():
			}
			return
		}
		time.Sleep(50 * time.Millisecond)
		_, _ = io.WriteString(w, `{"city":"`+strings.TrimPrefix(r.URL.Path, "/weather/")+`","sky":"clear"}`)
	}))
	t.Cleanup(srv.Close)
	return srv.URL
}

func TestReplyWithoutTools(t *testing.T) {
	spec := testSpec(t, "http://127.0.0.1:1")
	chat := &scriptChat{replies: [][]provider.ChatDelta{{{Text: "Hello there. "}, {Text: "How can I help?"}}}}
	out := &sink{}
	history := []*store.Turn{{Role: store.RoleUser, Text: "hi"}, {Role: store.RoleAssistant, Text: "hello"}}
	res, err := quiet().Reply(context.Background(), Request{Spec: spec, Chat: chat, History: history, Text: "question", Language: "ko"}, out)
	require.NoError(t, err)
	require.Equal(t, "Hello there. How can I help?", res.Text)
	require.Equal(t, "ko", res.Language, "language auto answers in the language heard")
	require.Equal(t, []string{"Hello there.", "How can I help?"}, out.said)
	require.Equal(t, "Hello there. How can I help?", out.deltas.String())
	req := chat.requests()[0]
	require.Equal(t, "You help.", req.SystemPrompt)
	require.Equal(t, "ko", req.Language)
	require.Equal(t, provider.Options{"model": "m"}, req.Options)
	require.Len(t, req.Tools, 3)
	require.Equal(t, "bye", req.Tools[2].Name)
	require.Contains(t, req.Tools[2].Description, "Hang up")
	require.JSONEq(t, `{"type":"object","properties":{"city":{"type":"string"}},"required":["city"]}`, string(req.Tools[0].Parameters))
	require.Equal(t, []provider.Message{{Role: "user", Content: "hi"}, {Role: "assistant", Content: "hello"}, {Role: "user", Content: "question"}}, req.Messages)
	require.Positive(t, res.ChatFirstToken)
}

// TestParallelToolCalls: two calls in one delta run at once, their results
// go back with their ids, and malformed arguments are told to the model.
func TestParallelToolCalls(t *testing.T) {
	spec := testSpec(t, server(t))
	chat := &scriptChat{replies: [][]provider.ChatDelta{
		{{Text: "Checking."}, {ToolCalls: []provider.ToolCall{
			{ID: "a", Name: "weather", Arguments: `{"city":"Seoul"}`},
			{ID: "b", Name: "weather", Arguments: `{"city":"Paris"}`},
			{Name: "weather", Arguments: `{"city":`},
		}}},
		{{Text: "Both clear."}},
	}}
	out := &sink{}
	start := time.Now()
	res, err := quiet().Reply(context.Background(), Request{CallID: "c1", Spec: spec, Chat: chat, Text: "weather?"}, out)
	require.NoError(t, err)
	require.Less(t, time.Since(start), 500*time.Millisecond, "the calls ran at once")
	require.Equal(t, "Checking. Both clear.", res.Text)
	require.Len(t, res.ToolCalls, 3)
	require.JSONEq(t, `{"city":"Seoul","sky":"clear"}`, res.ToolCalls[0].Result)
	require.JSONEq(t, `{"city":"Paris","sky":"clear"}`, res.ToolCalls[1].Result)
	require.Equal(t, "call_1_3", res.ToolCalls[2].ID, "a call without an id gets one")
	require.Contains(t, res.ToolCalls[2].Error, "not valid JSON")

	second := chat.requests()[1].Messages
	require.Len(t, second, 5) // user, assistant with calls, three results
	require.Equal(t, provider.RoleAssistant, second[1].Role)
	require.Equal(t, "Checking.", second[1].Content)
	require.Len(t, second[1].ToolCalls, 3)
	for i, id := range []string{"a", "b", "call_1_3"} {
		require.Equal(t, provider.RoleTool, second[2+i].Role)
		require.Equal(t, id, second[2+i].ToolCallID)
	}
	var told map[string]string
	require.NoError(t, json.Unmarshal([]byte(second[4].Content), &told))
	require.Contains(t, told["error"], "not valid JSON")
	require.Len(t, out.events, 6, "a start and an end per call")
}

// TestSlowToolFillerAndTimeout: a tool past its filler delay gets one
// filler spoken; past its timeout the model is told and answers.
func TestSlowToolFillerAndTimeout(t *testing.T) {
	spec := testSpec(t, server(t))
	chat := &scriptChat{replies: [][]provider.ChatDelta{{call("s", "slow", `{}`)}, {{Text: "Sorry, that took too long."}}}}
	out := &sink{}
	res, err := quiet().Reply(context.Background(), Request{Spec: spec, Chat: chat, Text: "go"}, out)
	require.NoError(t, err)
	require.Equal(t, []string{"Hold on."}, out.fillers)
	require.Contains(t, res.ToolCalls[0].Error, "did not answer in time")
	require.Equal(t, "Sorry, that took too long.", res.Text)
	require.NotContains(t, res.Text, "Hold on", "a filler is not part of the reply")
}

// TestEndCallToolIsFinal: after end_call the model is not asked again.
func TestEndCallToolIsFinal(t *testing.T) {
	spec := testSpec(t, "http://127.0.0.1:1")
	chat := &scriptChat{replies: [][]provider.ChatDelta{{{Text: "Goodbye!"}, call("x", "bye", `{}`)}}}
	res, err := quiet().Reply(context.Background(), Request{Spec: spec, Chat: chat, Text: "bye"}, &sink{})
	require.NoError(t, err)
	require.True(t, res.EndCall)
	require.Equal(t, "Goodbye!", res.Text)
	require.Len(t, chat.requests(), 1)
}

// TestToolRoundsAreBounded: a model that keeps calling tools is asked,
// after MaxToolRounds, once more without tools.
func TestToolRoundsAreBounded(t *testing.T) {
	spec := testSpec(t, "http://127.0.0.1:1")
	chat := &scriptChat{}
	for range MaxToolRounds + 5 {
		chat.replies = append(chat.replies, []provider.ChatDelta{call("", "nope", `{}`)})
	}
	res, err := quiet().Reply(context.Background(), Request{Spec: spec, Chat: chat, Text: "loop"}, &sink{})
	require.NoError(t, err)
	reqs := chat.requests()
	require.Len(t, reqs, MaxToolRounds+1)
	require.Nil(t, reqs[MaxToolRounds].Tools, "the last request offers no tools")
	require.Len(t, res.ToolCalls, MaxToolRounds)
	require.Contains(t, res.ToolCalls[0].Error, `no such tool: "nope"`)
}

type failChat struct{}

func (failChat) Complete(context.Context, provider.ChatRequest) (provider.Stream[provider.ChatDelta], error) {
	return nil, provider.ErrUnavailable
}

func TestChatFailure(t *testing.T) {
	spec := testSpec(t, "http://127.0.0.1:1")
	_, err := quiet().Reply(context.Background(), Request{Spec: spec, Chat: failChat{}, Text: "x"}, &sink{})
	require.True(t, errors.Is(err, provider.ErrUnavailable))
}

// TestWindowCarriesToolCalls: earlier turns' tool calls and results are
// shown to the model, in OpenAI's order.
func TestWindowCarriesToolCalls(t *testing.T) {
	turns := []*store.Turn{
		{Role: store.RoleUser, Text: "old"},
		{Role: store.RoleUser, Text: "where is 12?"},
		{Role: store.RoleAssistant, Text: "It shipped.", ToolCalls: []store.ToolCall{
			{ID: "a", Name: "lookup", Arguments: `{"n":12}`, Result: `{"s":"shipped"}`},
			{ID: "b", Name: "lookup", Arguments: `{}`, Error: "bad"},
		}},
	}
	got := Window(turns, 2)
	require.Equal(t, []provider.Message{
		{Role: "user", Content: "where is 12?"},
		{Role: "assistant", ToolCalls: []provider.ToolCall{{ID: "a", Name: "lookup", Arguments: `{"n":12}`}, {ID: "b", Name: "lookup", Arguments: `{}`}}},
		{Role: "tool", ToolCallID: "a", Content: `{"s":"shipped"}`},
		{Role: "tool", ToolCallID: "b", Content: `{"error":"bad"}`},
		{Role: "assistant", Content: "It shipped."},
	}, got)
	require.Nil(t, Window(turns, 0))
}

// TestStored: an exchange stores the caller's turn when there is one, and
// the agent's only when it said something or called a tool.
func TestStored(t *testing.T) {
	at := time.Date(2026, 12, 3, 10, 0, 0, 0, time.UTC)
	heard := &Heard{Text: "hi", Sentiment: &store.Sentiment{Label: "neutral", Score: 0.5}, Start: at, End: at.Add(time.Second)}
	got := Stored(heard, Said{Text: "Hello.", Interrupted: true, Start: at.Add(2 * time.Second), End: at.Add(3 * time.Second)})
	require.Equal(t, []*store.Turn{
		{Role: store.RoleUser, Text: "hi", Sentiment: heard.Sentiment, StartedAt: at, EndedAt: at.Add(time.Second)},
		{Role: store.RoleAssistant, Text: "Hello.", Interrupted: true, StartedAt: at.Add(2 * time.Second), EndedAt: at.Add(3 * time.Second)},
	}, got)
	require.Len(t, Stored(heard, Said{Text: "  "}), 1, "nothing said: only the caller's turn")
	calls := []store.ToolCall{{ID: "a", Name: "bye"}}
	got = Stored(nil, Said{ToolCalls: calls})
	require.Len(t, got, 1, "a tool call is worth storing without words")
	require.Equal(t, calls, got[0].ToolCalls)
	require.Empty(t, Stored(nil, Said{}))
}

// gatedSink is a sink whose tools wait for allow.
type gatedSink struct {
	sink
	allow chan struct{}
}

func (g *gatedSink) AllowTools(ctx context.Context) error {
	select {
	case <-g.allow:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}

// TestToolGate: an Output that is a ToolGate holds each round's tools
// until it allows them; one whose context ends first runs none.
func TestToolGate(t *testing.T) {
	var hits atomic.Int32
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		hits.Add(1)
		_, _ = io.WriteString(w, `{"sky":"clear"}`)
	}))
	t.Cleanup(srv.Close)
	spec := testSpec(t, srv.URL)
	script := func() *scriptChat {
		return &scriptChat{replies: [][]provider.ChatDelta{{call("w", "weather", `{"city":"Seoul"}`)}, {{Text: "Clear."}}}}
	}

	// Never allowed: the turn ends with the context, no tool ran.
	ctx, cancel := context.WithCancel(context.Background())
	out := &gatedSink{allow: make(chan struct{})}
	done := make(chan error, 1)
	go func() {
		_, err := quiet().Reply(ctx, Request{Spec: spec, Chat: script(), Text: "weather?"}, out)
		done <- err
	}()
	time.Sleep(100 * time.Millisecond) // time the tool would have run in
	cancel()
	require.ErrorIs(t, <-done, context.Canceled)
	require.Zero(t, hits.Load(), "no tool ran before it was allowed")
	require.Empty(t, out.events)

	// Allowed: the tool runs and the reply goes on.
	out = &gatedSink{allow: make(chan struct{})}
	close(out.allow)
	res, err := quiet().Reply(context.Background(), Request{Spec: spec, Chat: script(), Text: "weather?"}, out)
	require.NoError(t, err)
	require.Equal(t, "Clear.", res.Text)
	require.EqualValues(t, 1, hits.Load())
}
