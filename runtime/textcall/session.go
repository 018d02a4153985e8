package textcall

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"sync"
	"time"

	"github.com/google/uuid"

	"github.com/parleyhq/parley/runtime/agent"
	"github.com/parleyhq/parley/runtime/provider"
	"github.com/parleyhq/parley/runtime/store"
	"github.com/parleyhq/parley/runtime/turn"
	"github.com/parleyhq/parley/runtime/vars"
)

// ErrEnded means the agent has ended the call: it takes no more lines.
var ErrEnded = errors.New("the agent has ended the call")

// ErrBadLine means a caller line is empty or longer than agent.MaxSayBytes.
var ErrBadLine = errors.New("bad caller line")

// Config is what a Session needs.
type Config struct {
	Spec *agent.Spec
	// Chat writes the replies; Sentiment scores the caller's lines (nil:
	// none).
	Chat      provider.Chat
	Sentiment provider.Sentiment
	// Engine writes the turns (nil: turn.New()).
	Engine *turn.Engine
	// Variables are the call's values, as vars.Bind returns them.
	Variables vars.Values
	// CallerNumber is the caller_number built-in ("" for none).
	CallerNumber string
	// Now is the clock of the date and time built-ins (nil: time.Now).
	Now func() time.Time
}

// Session is one call in text. It is not safe for concurrent use: one
// line at a time, as a caller speaks.
type Session struct {
	cfg     Config
	callID  string
	texts   agent.CallTexts
	history []*store.Turn
	ended   bool
}

// New starts a session: the agent's texts are rendered with the call's
// variables, as for a phone call.
func New(cfg Config) *Session {
	if cfg.Engine == nil {
		cfg.Engine = turn.New()
	}
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	id := uuid.NewString()
	return &Session{cfg: cfg, callID: id, texts: cfg.Spec.RenderForCall(id, cfg.CallerNumber, cfg.Variables, cfg.Now())}
}

// CallID is the session's call id (the call_id built-in).
func (s *Session) CallID() string { return s.callID }

// Greeting is what the agent says first ("" for nothing).
func (s *Session) Greeting() string { return s.texts.Greeting }

// Ended reports whether the agent has ended the call.
func (s *Session) Ended() bool { return s.ended }

// Observer is told of a turn as it is written, from the goroutine that
// called Say; a nil Observer is told nothing.
type Observer interface {
	// Delta is the next piece of the reply's text.
	Delta(text string)
	// Filler is a phrase said while a slow tool runs.
	Filler(phrase string)
	// Tool is a tool call starting (Done false) or finished.
	Tool(ev turn.ToolEvent)
}

// Turn is the agent's answer to one caller line.
type Turn struct {
	// Reply is everything the agent said (fillers aside).
	Reply string
	// Fillers are the phrases said while tools ran.
	Fillers []string
	// ToolCalls are the tools called, in order, with their outcomes.
	ToolCalls []store.ToolCall
	// Sentiment is the caller line's score (nil: no provider, or it
	// failed with SentimentErr).
	Sentiment    *store.Sentiment
	SentimentErr error
	// Hangup: the agent ended the call after this turn (end_call, a
	// transfer, or the chat provider's hang-up).
	Hangup bool
	// Transfer is where a transfer_call sent the caller (the number), and
	// Destination the name the model gave; empty for none.
	Transfer, Destination string
	// Took is how long the turn took.
	Took time.Duration
}

// Say answers one caller line. The reply, its tool calls and the line's
// sentiment (scored beside the reply) come back in the Turn; an error is
// the turn's failure (the Turn then holds what was written before it),
// ErrEnded once the agent has hung up, ErrBadLine for an empty or too long
// line.
func (s *Session) Say(ctx context.Context, line string, obs Observer) (Turn, error) {
	line = strings.TrimSpace(line)
	switch {
	case s.ended:
		return Turn{}, ErrEnded
	case line == "":
		return Turn{}, fmt.Errorf("%w: it is empty", ErrBadLine)
	case len(line) > agent.MaxSayBytes:
		return Turn{}, fmt.Errorf("%w: it is %d bytes; at most %d", ErrBadLine, len(line), agent.MaxSayBytes)
	}
	spec := s.cfg.Spec
	started := time.Now()
	var (
		out Turn
		wg  sync.WaitGroup
	)
	if s.cfg.Sentiment != nil {
		// Beside the reply, as in a phone call; the goroutine ends before
		// Say returns.
		wg.Go(func() {
			defer func() {
				if p := recover(); p != nil {
					out.SentimentErr = fmt.Errorf("sentiment: panic: %v", p)
				}
			}()
			out.Sentiment, out.SentimentErr = turn.Score(ctx, s.cfg.Sentiment, spec, turn.Language(spec, ""), line)
		})
	}
	w := &writer{obs: obs}
	res, err := s.cfg.Engine.Reply(ctx, turn.Request{
		CallID: s.callID, Spec: spec, Chat: s.cfg.Chat, History: s.history, Text: line,
		SystemPrompt: s.texts.SystemPrompt, Values: s.texts.Values,
	}, w)
	wg.Wait()
	out.Reply, out.Fillers, out.ToolCalls = res.Text, w.fillers, res.ToolCalls
	out.Hangup = res.EndCall || res.Transfer != ""
	out.Transfer, out.Destination = res.Transfer, res.Destination
	out.Took = time.Since(started)
	s.remember(turn.Stored(&turn.Heard{Text: line, Sentiment: out.Sentiment, Start: started, End: started},
		turn.Said{Text: res.Text, ToolCalls: res.ToolCalls, Start: started, End: time.Now()})...)
	if err != nil {
		return out, fmt.Errorf("chat: %w", err)
	}
	s.ended = out.Hangup
	return out, nil
}

// remember appends turns to the history, keeping only what the chat
// model's window can see, so a long session stays small.
func (s *Session) remember(turns ...*store.Turn) {
	for _, t := range turns {
		t.CallID, t.Seq = s.callID, len(s.history)+1
		s.history = append(s.history, t)
	}
	if keep := s.cfg.Spec.History.MaxTurns; len(s.history) > keep {
		s.history = append([]*store.Turn(nil), s.history[len(s.history)-keep:]...)
	}
}

// writer is the turn's output in text: no speech, the reply's text goes to
// the observer as it is written.
type writer struct {
	obs     Observer
	fillers []string
}

var _ turn.Output = (*writer)(nil)

func (w *writer) Delta(text string) {
	if w.obs != nil {
		w.obs.Delta(text)
	}
}

func (w *writer) Say(context.Context, string) error { return nil }

func (w *writer) Filler(_ context.Context, phrase string) error {
	w.fillers = append(w.fillers, phrase)
	if w.obs != nil {
		w.obs.Filler(phrase)
	}
	return nil
}

func (w *writer) Tool(ev turn.ToolEvent) {
	if w.obs != nil {
		w.obs.Tool(ev)
	}
}
