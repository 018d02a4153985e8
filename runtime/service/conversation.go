package service

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"strings"
	"sync"
	"time"

	"github.com/parleyhq/parley/runtime/agent"
	"github.com/parleyhq/parley/runtime/audio"
	"github.com/parleyhq/parley/runtime/call"
	"github.com/parleyhq/parley/runtime/pcm"
	"github.com/parleyhq/parley/runtime/provider"
	"github.com/parleyhq/parley/runtime/provider/host"
	"github.com/parleyhq/parley/runtime/store"
	"github.com/parleyhq/parley/runtime/turn"
)

// ErrCallNotLive means the call has ended or failed: it takes no more
// conversation.
var ErrCallNotLive = errors.New("call is not live")

// ProviderSource gives the providers of an agent; *host.Host implements it.
type ProviderSource interface {
	For(*agent.Spec) (host.Providers, error)
}

// Conversation answers one recorded utterance of a caller: the original
// system's POST /api/v1/calls/conversation/process. Its turn is the live
// call's (runtime/turn): same history window, prompt, language, tools and
// sentiment.
type Conversation struct {
	calls     *Calls
	store     store.Store
	agents    Agents
	providers ProviderSource
	engine    *turn.Engine
	log       *slog.Logger
	now       func() time.Time
	// MaxAudio bounds the decoded length of an upload.
	MaxAudio time.Duration
}

// NewConversation returns the conversation use case; engine writes its
// turns (nil: turn.New()).
func NewConversation(calls *Calls, st store.Store, agents Agents, providers ProviderSource, engine *turn.Engine, log *slog.Logger) *Conversation {
	if engine == nil {
		engine = turn.New(turn.WithLogger(log))
	}
	return &Conversation{calls: calls, store: st, agents: agents, providers: providers, engine: engine, log: log, now: time.Now, MaxAudio: 2 * time.Minute}
}

// ProcessRequest is one uploaded utterance.
type ProcessRequest struct {
	CallID       string
	Audio        []byte
	ContentType  string // of the upload; only a hint, the bytes decide
	SystemPrompt string // overrides the agent's when set (at most MaxSystemPrompt bytes)
	// AgentPromptOnly refuses SystemPrompt unless the agent allows
	// overrides (allow_prompt_override): key mode sets it, so that a
	// client cannot turn an agent into a general-purpose chat model paid
	// for by the operator.
	AgentPromptOnly bool
}

// MaxSystemPrompt is the longest systemPrompt a request may carry, in bytes.
const MaxSystemPrompt = 8 << 10

// ProcessResult is the caller's words, the agent's answer and its voice.
type ProcessResult struct {
	UserMessage string
	AIResponse  string
	Sentiment   *store.Sentiment // nil when the agent scores none, or scoring failed
	Timestamp   time.Time
	Speech      pcm.Audio
	EndCall     bool // the agent hung up (or transferred the call) after this answer
	// ToolCalls are the tools the agent called; Transfer where a
	// transfer_call sent the caller ("" for none).
	ToolCalls []store.ToolCall
	Transfer  string
}

// sttRate is what speech recognisers take.
const sttRate = 16000

// Process transcribes the upload, answers it with the call's agent (its
// history window and system prompt), scores its sentiment beside the
// answer, speaks the answer, and stores both turns. Nothing is stored when
// any step fails.
func (c *Conversation) Process(ctx context.Context, req ProcessRequest) (ProcessResult, error) {
	if strings.TrimSpace(req.CallID) == "" {
		return ProcessResult{}, invalid("callId", "is required")
	}
	if n := len(req.SystemPrompt); n > MaxSystemPrompt {
		return ProcessResult{}, invalid("systemPrompt", "is %d bytes; the limit is %d", n, MaxSystemPrompt)
	}
	cl, err := c.calls.Get(ctx, req.CallID)
	if err != nil {
		if errors.Is(err, ErrValidation) {
			return ProcessResult{}, invalid("callId", "%q is not a call id (a UUID)", req.CallID)
		}
		return ProcessResult{}, err
	}
	if !cl.Status.Live() {
		return ProcessResult{}, fmt.Errorf("%w: call %s is %s", ErrCallNotLive, cl.ID, cl.Status)
	}
	spec, err := c.specFor(cl)
	if err != nil {
		return ProcessResult{}, err
	}
	if req.AgentPromptOnly && req.SystemPrompt != "" && !spec.AllowPromptOverride {
		return ProcessResult{}, fmt.Errorf("%w: agent %s does not set allow_prompt_override", ErrPromptOverride, spec.Name)
	}
	heardAudio, _, err := audio.Decode(req.Audio, req.ContentType, audio.WithMaxDuration(c.MaxAudio))
	if err != nil {
		return ProcessResult{}, fmt.Errorf("audio: %w", err)
	}
	if heardAudio, err = audio.Resample(heardAudio, sttRate); err != nil {
		return ProcessResult{}, fmt.Errorf("audio: %w", err)
	}
	prov, err := c.providers.For(spec)
	if err != nil {
		return ProcessResult{}, fmt.Errorf("agent %s: %w", spec.Name, err)
	}

	heard := c.now()
	tr, err := prov.STT.Transcribe(ctx, turn.TranscribeRequest(spec, heardAudio))
	if err != nil {
		return ProcessResult{}, fmt.Errorf("speech to text: %w", err)
	}
	text := strings.TrimSpace(tr.Text)
	if text == "" {
		return ProcessResult{}, invalid("audio", "no speech was recognised in the recording")
	}
	history, err := c.store.Turns(ctx, cl.ID)
	if err != nil {
		return ProcessResult{}, fmt.Errorf("history: %w", err)
	}
	language := turn.Language(spec, tr.Language)

	// Sentiment runs beside the reply, never in front of it.
	var (
		wg        sync.WaitGroup
		sentiment *store.Sentiment
	)
	if prov.Sentiment != nil {
		wg.Go(func() {
			s, err := turn.Score(ctx, prov.Sentiment, spec, language, text)
			if err != nil {
				c.log.WarnContext(ctx, "sentiment failed; the turn is stored without it", "call", cl.ID, "error", err)
				return
			}
			sentiment = s
		})
	}
	sp := &speech{ctx: ctx, tts: prov.TTS, spec: spec, language: language}
	texts := spec.RenderForCall(cl.ID, cl.CallerNumber.String(), cl.Variables, c.now())
	prompt := req.SystemPrompt // a client's prompt is used as sent, never rendered
	if strings.TrimSpace(prompt) == "" {
		prompt = texts.SystemPrompt
	}
	res, err := c.engine.Reply(ctx, turn.Request{
		CallID: cl.ID, Spec: spec, Chat: prov.Chat, History: history, Text: text, Language: tr.Language,
		SystemPrompt: prompt, Values: texts.Values,
	}, sp)
	if err != nil {
		wg.Wait()
		if sp.err != nil {
			return ProcessResult{}, fmt.Errorf("text to speech: %w", sp.err)
		}
		return ProcessResult{}, fmt.Errorf("chat: %w", err)
	}
	reply := strings.TrimSpace(res.Text)
	if reply == "" && len(res.ToolCalls) == 0 {
		wg.Wait()
		return ProcessResult{}, fmt.Errorf("chat: %w: the chat provider returned an empty reply", host.ErrBadResponse)
	}
	if len(sp.out.Samples) == 0 && reply != "" {
		wg.Wait()
		return ProcessResult{}, fmt.Errorf("text to speech: %w: the TTS provider returned no audio", host.ErrBadResponse)
	}
	wg.Wait()

	done := c.now()
	err = c.store.AppendTurns(ctx, cl.ID,
		turn.Stored(&turn.Heard{Text: text, Sentiment: sentiment, Start: heard.Add(-heardAudio.Duration()), End: heard},
			turn.Said{Text: reply, Start: sp.started.Or(done), End: done, ToolCalls: res.ToolCalls})...,
	)
	if err != nil {
		return ProcessResult{}, fmt.Errorf("store turns: %w", err)
	}
	endCall := res.EndCall || res.Transfer != ""
	if endCall {
		reason := "agent hung up"
		if res.Transfer != "" {
			reason = ReasonTransferred
		}
		if _, err := c.calls.End(ctx, cl.ID, reason); err != nil && !errors.Is(err, call.ErrInvalidTransition) {
			c.log.WarnContext(ctx, "ending the call after the agent's goodbye failed", "call", cl.ID, "error", err)
		}
	}
	return ProcessResult{UserMessage: text, AIResponse: reply, Sentiment: sentiment, Timestamp: done, Speech: sp.out, EndCall: endCall,
		ToolCalls: res.ToolCalls, Transfer: res.Transfer}, nil
}

// ReasonTransferred ends a call the agent transferred (transfer_call).
const ReasonTransferred = "transferred"

// speech is the turn's output for conversation/process: every sentence
// synthesised into one buffer (fillers are for live calls only).
type speech struct {
	ctx      context.Context
	tts      provider.TTS
	spec     *agent.Spec
	language string
	out      pcm.Audio
	started  timeOr
	err      error // the TTS failure that ended the turn
}

func (s *speech) Delta(string)                         {}
func (s *speech) Filler(context.Context, string) error { return nil }
func (s *speech) Tool(turn.ToolEvent)                  {}
func (s *speech) Say(ctx context.Context, sentence string) error {
	s.started.Set(time.Now())
	err := turn.Speak(ctx, s.tts, s.spec, s.language, sentence, func(a pcm.Audio) error {
		if s.out.Rate == 0 {
			s.out.Rate = a.Rate
		}
		if a.Rate != s.out.Rate {
			var err error
			if a, err = audio.Resample(a, s.out.Rate); err != nil {
				return err
			}
		}
		s.out.Samples = append(s.out.Samples, a.Samples...)
		return nil
	})
	if err != nil {
		s.err = err
	}
	return err
}

// timeOr is a time set once.
type timeOr struct{ t time.Time }

// Set keeps the first time set.
func (o *timeOr) Set(t time.Time) {
	if o.t.IsZero() {
		o.t = t
	}
}

// Or is the time set, or def.
func (o timeOr) Or(def time.Time) time.Time {
	if o.t.IsZero() {
		return def
	}
	return o.t
}

// specFor is the spec the call started with, or the current one of its
// agent (the default agent for a person-to-person call).
func (c *Conversation) specFor(cl *call.Call) (*agent.Spec, error) {
	if s, ok := c.calls.AgentSpec(cl.ID); ok {
		return s, nil
	}
	name := cl.Agent
	if name == "" {
		name = c.agents.DefaultName()
	}
	s, err := c.agents.Get(name)
	if err != nil {
		return nil, fmt.Errorf("agent %q: %w", name, err)
	}
	return s, nil
}
