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
	"github.com/parleyhq/parley/runtime/provider"
	"github.com/parleyhq/parley/runtime/provider/host"
	"github.com/parleyhq/parley/runtime/store"
)

// ErrCallNotLive means the call has ended or failed: it takes no more
// conversation.
var ErrCallNotLive = errors.New("call is not live")

// ProviderSource gives the providers of an agent; *host.Host implements it.
type ProviderSource interface {
	For(*agent.Spec) (host.Providers, error)
}

// Conversation answers one recorded utterance of a caller: the original
// system's POST /api/v1/calls/conversation/process.
type Conversation struct {
	calls     *Calls
	store     store.Store
	agents    Agents
	providers ProviderSource
	log       *slog.Logger
	now       func() time.Time
	// MaxAudio bounds the decoded length of an upload.
	MaxAudio time.Duration
}

// NewConversation returns the conversation use case.
func NewConversation(calls *Calls, st store.Store, agents Agents, providers ProviderSource, log *slog.Logger) *Conversation {
	return &Conversation{calls: calls, store: st, agents: agents, providers: providers, log: log, now: time.Now, MaxAudio: 2 * time.Minute}
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
	Speech      audio.PCM
	EndCall     bool // the agent hung up after this answer
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
	pcm, _, err := audio.Decode(req.Audio, req.ContentType, audio.WithMaxDuration(c.MaxAudio))
	if err != nil {
		return ProcessResult{}, fmt.Errorf("audio: %w", err)
	}
	if pcm, err = audio.Resample(pcm, sttRate); err != nil {
		return ProcessResult{}, fmt.Errorf("audio: %w", err)
	}
	prov, err := c.providers.For(spec)
	if err != nil {
		return ProcessResult{}, fmt.Errorf("agent %s: %w", spec.Name, err)
	}

	heard := c.now()
	tr, err := prov.STT.Transcribe(ctx, provider.TranscribeRequest{
		Audio:    provider.Audio{PCM: pcm.Samples, SampleRate: pcm.Rate},
		Language: string(spec.Language), Options: spec.Providers.STT.Options,
	})
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
	language := string(spec.Language)
	if tr.Language != "" {
		language = tr.Language
	}

	// Sentiment runs beside the reply, never in front of it.
	var (
		wg        sync.WaitGroup
		sentiment *store.Sentiment
	)
	if prov.Sentiment != nil {
		wg.Go(func() {
			r, err := prov.Sentiment.Analyze(ctx, provider.SentimentRequest{Text: text, Language: language, Options: spec.Providers.Sentiment.Options})
			if err != nil {
				c.log.WarnContext(ctx, "sentiment failed; the turn is stored without it", "call", cl.ID, "error", err)
				return
			}
			sentiment = &store.Sentiment{Label: r.Label, Score: r.Score}
		})
	}
	prompt := req.SystemPrompt // a client's prompt is used as sent, never rendered
	if strings.TrimSpace(prompt) == "" {
		prompt = spec.RenderForCall(cl.ID, cl.CallerNumber.String(), cl.Variables, c.now()).SystemPrompt
	}
	reply, endCall, err := c.answer(ctx, prov.Chat, spec, prompt, history, text, language)
	if err != nil {
		wg.Wait()
		return ProcessResult{}, fmt.Errorf("chat: %w", err)
	}
	answered := c.now()
	speech, err := speak(ctx, prov.TTS, spec, reply, language)
	if err != nil {
		wg.Wait()
		return ProcessResult{}, fmt.Errorf("text to speech: %w", err)
	}
	wg.Wait()

	done := c.now()
	err = c.store.AppendTurns(ctx, cl.ID,
		&store.Turn{Role: store.RoleUser, Text: text, Sentiment: sentiment, StartedAt: heard.Add(-pcm.Duration()), EndedAt: heard},
		&store.Turn{Role: store.RoleAssistant, Text: reply, StartedAt: answered, EndedAt: done},
	)
	if err != nil {
		return ProcessResult{}, fmt.Errorf("store turns: %w", err)
	}
	if endCall {
		if _, err := c.calls.End(ctx, cl.ID, "agent hung up"); err != nil && !errors.Is(err, call.ErrInvalidTransition) {
			c.log.WarnContext(ctx, "ending the call after the agent's goodbye failed", "call", cl.ID, "error", err)
		}
	}
	return ProcessResult{UserMessage: text, AIResponse: reply, Sentiment: sentiment, Timestamp: done, Speech: speech, EndCall: endCall}, nil
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

// answer asks the chat provider for the reply to text, with the system
// prompt and the agent's history window.
func (c *Conversation) answer(ctx context.Context, chat provider.Chat, spec *agent.Spec, prompt string, history []*store.Turn, text, language string) (string, bool, error) {
	msgs := Window(history, spec.History.MaxTurns)
	msgs = append(msgs, provider.Message{Role: provider.RoleUser, Content: text})
	st, err := chat.Complete(ctx, provider.ChatRequest{SystemPrompt: prompt, Messages: msgs, Language: language, Options: spec.Providers.Chat.Options})
	if err != nil {
		return "", false, err
	}
	deltas, err := provider.Collect(st)
	if err != nil {
		return "", false, err
	}
	var b strings.Builder
	endCall := false
	for _, d := range deltas {
		b.WriteString(d.Text)
		endCall = endCall || d.EndCall
	}
	reply := strings.TrimSpace(b.String())
	if reply == "" {
		return "", false, fmt.Errorf("%w: the chat provider returned an empty reply", host.ErrBadResponse)
	}
	return reply, endCall, nil
}

// Window turns the last maxTurns stored turns into chat messages, oldest
// first: the original's "keep only the last N".
func Window(turns []*store.Turn, maxTurns int) []provider.Message {
	if maxTurns <= 0 {
		return nil
	}
	if len(turns) > maxTurns {
		turns = turns[len(turns)-maxTurns:]
	}
	out := make([]provider.Message, 0, len(turns)+1)
	for _, t := range turns {
		out = append(out, provider.Message{Role: provider.Role(t.Role), Content: t.Text})
	}
	return out
}

// speak synthesises text into one PCM buffer at the rate of its first chunk.
func speak(ctx context.Context, tts provider.TTS, spec *agent.Spec, text, language string) (audio.PCM, error) {
	st, err := tts.Synthesize(ctx, provider.TTSRequest{Text: text, Voice: spec.Voice, Language: language, Options: spec.Providers.TTS.Options})
	if err != nil {
		return audio.PCM{}, err
	}
	chunks, err := provider.Collect(st)
	if err != nil {
		return audio.PCM{}, err
	}
	var out audio.PCM
	for _, ch := range chunks {
		if out.Rate == 0 {
			out.Rate = ch.SampleRate
		}
		pcm := audio.PCM{Samples: ch.PCM, Rate: ch.SampleRate}
		if ch.SampleRate != out.Rate {
			if pcm, err = audio.Resample(pcm, out.Rate); err != nil {
				return audio.PCM{}, err
			}
		}
		out.Samples = append(out.Samples, pcm.Samples...)
	}
	if len(out.Samples) == 0 {
		return audio.PCM{}, fmt.Errorf("%w: the TTS provider returned no audio", host.ErrBadResponse)
	}
	return out, nil
}
