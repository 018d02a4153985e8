package turn

import (
	"context"
	"errors"
	"io"
	"log/slog"
	"strings"
	"time"

	"github.com/parleyhq/parley/runtime/agent"
	"github.com/parleyhq/parley/runtime/fault"
	"github.com/parleyhq/parley/runtime/metrics"
	"github.com/parleyhq/parley/runtime/provider"
	"github.com/parleyhq/parley/runtime/store"
	"github.com/parleyhq/parley/runtime/tools"
	"github.com/parleyhq/parley/runtime/vars"
)

// MaxToolRounds bounds the chat requests of one turn: after this many
// rounds of tool calls the model is asked once more without tools, so a
// model that keeps calling them still answers.
const MaxToolRounds = 5

// maxParallelCalls bounds the tool calls of one round (a model may ask for
// several at once; more than this are refused to it).
const maxParallelCalls = 8

// Engine writes the agent's side of a turn, the same way for a live call
// and for conversation/process.
type Engine struct {
	tools   *tools.Runner
	metrics *metrics.Metrics // may be nil
	log     *slog.Logger
	// onTool is told of every finished tool call (webhooks).
	onTool func(ToolEvent)
}

// Option configures an Engine.
type Option func(*Engine)

// WithMetrics records tool calls in m.
func WithMetrics(m *metrics.Metrics) Option { return func(e *Engine) { e.metrics = m } }

// WithLogger sets the logger (default slog.Default()).
func WithLogger(l *slog.Logger) Option {
	return func(e *Engine) {
		if l != nil {
			e.log = l
		}
	}
}

// WithToolRunner sets what carries out tool calls (default tools.New()).
func WithToolRunner(r *tools.Runner) Option { return func(e *Engine) { e.tools = r } }

// OnToolCall registers fn to be told of every finished tool call, from the
// turn's goroutine: it must return quickly.
func OnToolCall(fn func(ToolEvent)) Option { return func(e *Engine) { e.onTool = fn } }

// New returns an Engine.
func New(opts ...Option) *Engine {
	e := &Engine{log: slog.Default()}
	for _, o := range opts {
		o(e)
	}
	if e.tools == nil {
		e.tools = tools.New()
	}
	return e
}

// Request is one caller turn to answer.
type Request struct {
	CallID string
	Spec   *agent.Spec
	Chat   provider.Chat
	// History is the call's stored turns before this one.
	History []*store.Turn
	// Text is what the caller said; Language what the STT heard it in
	// (empty when it did not say).
	Text, Language string
	// SystemPrompt replaces the agent's when set (conversation/process).
	SystemPrompt string
	// Values are the call's variables and built-ins, for the templates
	// of tool URLs and bodies.
	Values vars.Values
	// Fault is told of a panic contained in one of the turn's tool
	// goroutines (the call then fails); nil: only contained.
	Fault fault.Handler
}

// Output is where the turn goes as it is written.
type Output interface {
	// Delta is the next piece of the reply's text, as the model writes it.
	Delta(text string)
	// Say speaks one whole sentence of the reply; an error ends the turn.
	Say(ctx context.Context, sentence string) error
	// Filler speaks a phrase while a slow tool runs (not part of the
	// reply's text); an error is ignored.
	Filler(ctx context.Context, phrase string) error
	// Tool tells of a tool call starting (Done false) and finishing.
	Tool(ev ToolEvent)
}

// ToolGate is an Output that must allow each round's tools before they
// run: a speculative reply, written before the caller's turn is confirmed,
// waits there, so that no tool acts for a turn that is then discarded. An
// error ends the turn without running them.
type ToolGate interface {
	AllowTools(ctx context.Context) error
}

// ToolEvent is a tool call starting or finished.
type ToolEvent struct {
	CallID string
	Agent  string
	// Spec is the agent's (webhooks read what it wants told).
	Spec *agent.Spec
	Call store.ToolCall
	// Done is false when the call starts; then only ID, Name, Arguments
	// and StartedAt are set.
	Done bool
	// Transfer is the target of a finished transfer_call.
	Transfer, Destination string
}

// Result is the agent's turn as written.
type Result struct {
	// Text is everything the model said, across its rounds.
	Text string
	// Language the turn was answered in.
	Language string
	// EndCall: the agent hangs up once the reply is spoken.
	EndCall bool
	// Transfer is where a transfer_call sends the caller ("" for none);
	// the call ends once the reply is spoken.
	Transfer, Destination string
	// ToolCalls are the tools called, in order, with their outcomes.
	ToolCalls []store.ToolCall
	// ChatFirstToken is the first chat request to its first piece;
	// ChatFirstSentence to the first whole sentence.
	ChatFirstToken, ChatFirstSentence time.Duration
}

// Reply writes the agent's answer to req: it asks the chat provider with
// the history window, streams the text to out sentence by sentence, runs
// the tools the model calls and asks again with their results, until the
// model answers without calling any. On error the Result holds what was
// written before it.
func (e *Engine) Reply(ctx context.Context, req Request, out Output) (Result, error) {
	spec := req.Spec
	res := Result{Language: Language(spec, req.Language)}
	prompt := req.SystemPrompt
	if strings.TrimSpace(prompt) == "" {
		prompt = spec.SystemPrompt
	}
	msgs := append(Window(req.History, spec.History.MaxTurns), provider.Message{Role: provider.RoleUser, Content: req.Text})
	offered := Tools(spec)
	asked := time.Now()
	var text strings.Builder
	for round := 0; ; round++ {
		toolsNow := offered
		if round >= MaxToolRounds {
			toolsNow = nil // answer now
		}
		said, calls, endCall, err := e.ask(ctx, req.Chat, &res, asked, provider.ChatRequest{
			SystemPrompt: prompt, Messages: msgs, Language: res.Language, Options: spec.Providers.Chat.Options, Tools: toolsNow,
		}, out)
		if said != "" {
			if text.Len() > 0 {
				text.WriteByte(' ')
			}
			text.WriteString(said)
		}
		res.Text = text.String()
		res.EndCall = res.EndCall || endCall
		if err != nil {
			return res, err
		}
		if len(calls) == 0 {
			return res, nil
		}
		if toolsNow == nil {
			// Offered none, it called some anyway: they are not run.
			e.log.Warn("the model called tools after the last tool round; they are not run", "call", req.CallID, "agent", spec.Name, "calls", len(calls))
			return res, nil
		}
		if g, ok := out.(ToolGate); ok {
			if err := g.AllowTools(ctx); err != nil {
				return res, err
			}
		}
		outcomes := e.runTools(ctx, req, round, calls, out)
		msgs = append(msgs, provider.Message{Role: provider.RoleAssistant, Content: said, ToolCalls: calls})
		final := false
		for i, o := range outcomes {
			res.ToolCalls = append(res.ToolCalls, o.record)
			msgs = append(msgs, provider.Message{Role: provider.RoleTool, ToolCallID: calls[i].ID, Content: o.Content})
			if o.EndCall {
				res.EndCall, final = true, true
			}
			if o.Transfer != "" && res.Transfer == "" {
				res.Transfer, res.Destination, final = o.Transfer, o.Destination, true
			}
		}
		if ctx.Err() != nil {
			return res, ctx.Err()
		}
		// The call is ending: what the model said with the call is its
		// goodbye; no round after it.
		if final {
			return res, nil
		}
	}
}

// ask makes one chat request and speaks its text as it streams; it
// returns the text, the tool calls (ids filled in) and whether the
// provider asked to hang up.
func (e *Engine) ask(ctx context.Context, chat provider.Chat, res *Result, asked time.Time, creq provider.ChatRequest, out Output) (string, []provider.ToolCall, bool, error) {
	st, err := chat.Complete(ctx, creq)
	if err != nil {
		return "", nil, false, err
	}
	defer func() { _ = st.Close() }()
	var (
		text    strings.Builder
		calls   []provider.ToolCall
		endCall bool
	)
	ch := chunker{minRunes: 12}
	say := func(sentences []string) error {
		for _, s := range sentences {
			if res.ChatFirstSentence == 0 {
				res.ChatFirstSentence = time.Since(asked)
			}
			if err := out.Say(ctx, s); err != nil {
				return err
			}
		}
		return nil
	}
	for {
		d, err := st.Recv()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			return strings.TrimSpace(text.String()), calls, endCall, err
		}
		if res.ChatFirstToken == 0 {
			res.ChatFirstToken = time.Since(asked)
		}
		endCall = endCall || d.EndCall
		calls = append(calls, d.ToolCalls...)
		if d.Text == "" {
			continue
		}
		text.WriteString(d.Text)
		out.Delta(d.Text)
		if err := say(ch.Push(d.Text)); err != nil {
			return strings.TrimSpace(text.String()), calls, endCall, err
		}
	}
	if s := ch.Flush(); s != "" {
		if err := say([]string{s}); err != nil {
			return strings.TrimSpace(text.String()), calls, endCall, err
		}
	}
	return strings.TrimSpace(text.String()), calls, endCall, nil
}
