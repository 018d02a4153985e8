package turn

import (
	"context"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/parleyhq/parley/runtime/agent"
	"github.com/parleyhq/parley/runtime/provider"
)

// roundTrip is one tool round trip's timestamps.
type roundTrip struct {
	callSent, reqSeen, respSent, nextAsked time.Time
}

// timedChat calls the tool on its first request of a turn (stamping when
// the call leaves it) and answers the second (stamping when it is asked).
type timedChat struct {
	mu  sync.Mutex
	cur *roundTrip
}

func (c *timedChat) Complete(ctx context.Context, req provider.ChatRequest) (provider.Stream[provider.ChatDelta], error) {
	last := req.Messages[len(req.Messages)-1]
	c.mu.Lock()
	rt := c.cur
	c.mu.Unlock()
	if last.Role == provider.RoleTool {
		rt.nextAsked = time.Now()
		return provider.Produce(ctx, func(ctx context.Context, send func(provider.ChatDelta) error) error {
			return send(provider.ChatDelta{Text: "It shipped."})
		}), nil
	}
	return provider.Produce(ctx, func(ctx context.Context, send func(provider.ChatDelta) error) error {
		rt.callSent = time.Now()
		return send(provider.ChatDelta{ToolCalls: []provider.ToolCall{{ID: "a", Name: "lookup_order", Arguments: `{"order_number":"12345"}`}}})
	}), nil
}

type nopOutput struct{}

func (nopOutput) Delta(string)                         {}
func (nopOutput) Say(context.Context, string) error    { return nil }
func (nopOutput) Filler(context.Context, string) error { return nil }
func (nopOutput) Tool(ToolEvent)                       {}

// BenchmarkToolRoundTrip measures the runtime's own share of a tool round
// trip: from the chat provider handing over a tool call to the tool's HTTP
// request arriving, plus from the tool's response leaving to the next chat
// request (providers and the endpoint are instant fakes on loopback). It
// reports the p50 and p95 of the sum, in ms; issue 12 asks p95 <= 5 ms.
func BenchmarkToolRoundTrip(b *testing.B) {
	chat := &timedChat{}
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		chat.mu.Lock()
		rt := chat.cur
		chat.mu.Unlock()
		rt.reqSeen = time.Now()
		_, _ = io.Copy(io.Discard, r.Body)
		w.Header().Set("Content-Type", "application/json")
		_, _ = w.Write([]byte(`{"order":"12345","status":"shipped","eta":"tomorrow"}`))
		rt.respSent = time.Now()
	}))
	defer srv.Close()
	spec, err := agent.Parse("bench.yaml", []byte(`name: bench
language: en
system_prompt: You help.
providers: {stt: {plugin: x}, chat: {plugin: x}, tts: {plugin: x}}
tools:
  - name: lookup_order
    description: Looks up an order.
    parameters: {type: object, properties: {order_number: {type: string, pattern: "^[0-9]+$"}}, required: [order_number]}
    http: {url: "`+srv.URL+`/orders/{{order_number}}"}
`))
	if err != nil {
		b.Fatal(err)
	}
	e := New(WithLogger(slog.New(slog.DiscardHandler)))
	overhead := make([]time.Duration, 0, b.N)
	b.ResetTimer()
	for b.Loop() {
		rt := &roundTrip{}
		chat.mu.Lock()
		chat.cur = rt
		chat.mu.Unlock()
		res, err := e.Reply(context.Background(), Request{CallID: "c", Spec: spec, Chat: chat, Text: "where is order 12345"}, nopOutput{})
		if err != nil || len(res.ToolCalls) != 1 || res.ToolCalls[0].Error != "" {
			b.Fatalf("reply %+v: %v", res, err)
		}
		overhead = append(overhead, rt.reqSeen.Sub(rt.callSent)+rt.nextAsked.Sub(rt.respSent))
	}
	b.StopTimer()
	slices.Sort(overhead)
	q := func(p float64) float64 {
		return float64(overhead[int(p*float64(len(overhead)-1))].Microseconds()) / 1000
	}
	b.ReportMetric(q(0.50), "p50-ms")
	b.ReportMetric(q(0.95), "p95-ms")
}
