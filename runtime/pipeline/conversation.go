package pipeline

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"sync"
	"sync/atomic"
	"time"

	"github.com/parleyhq/parley/runtime/agent"
	"github.com/parleyhq/parley/runtime/call"
	"github.com/parleyhq/parley/runtime/endpoint"
	"github.com/parleyhq/parley/runtime/fault"
	"github.com/parleyhq/parley/runtime/live"
	"github.com/parleyhq/parley/runtime/media"
	"github.com/parleyhq/parley/runtime/metrics"
	"github.com/parleyhq/parley/runtime/provider/host"
	"github.com/parleyhq/parley/runtime/store"
	"github.com/parleyhq/parley/runtime/turn"
)

// VADStream scores one call's audio for speech; vad.Stream implements it.
type VADStream interface {
	// Write appends 16 kHz samples and returns the speech probability of
	// each window they completed, in order (the slice is reused).
	Write(samples []int16) ([]float32, error)
	// WindowSamples is the length of one window.
	WindowSamples() int
	// Close frees the stream.
	Close() error
}

// ProviderSource gives an agent's providers; *host.Host implements it.
type ProviderSource interface {
	For(*agent.Spec) (host.Providers, error)
}

// TurnStore keeps the turns of a call; store.Store implements it.
type TurnStore interface {
	AppendTurns(ctx context.Context, callID string, turns ...*store.Turn) error
}

// Config is what every conversation shares.
type Config struct {
	Providers ProviderSource
	Store     TurnStore
	// NewVAD makes the speech detector of one call.
	NewVAD func() (VADStream, error)
	// MaxDuration is the longest call of an agent that sets no
	// max_duration: the agent then says goodbye and hangs up. 0 for none.
	MaxDuration time.Duration
	Metrics     *metrics.Metrics // may be nil
	Log         *slog.Logger
	// Turns writes the agent's turns (nil: turn.New with Metrics and Log).
	Turns *turn.Engine
}

// Engine starts conversations; it implements live.Conversations.
type Engine struct {
	cfg    Config
	turns  *turn.Engine
	speech *speechCache
}

var _ live.Conversations = (*Engine)(nil)

// New returns an Engine.
func New(cfg Config) (*Engine, error) {
	if cfg.Providers == nil || cfg.Store == nil || cfg.NewVAD == nil {
		return nil, errors.New("pipeline: providers, store and VAD are required")
	}
	if cfg.Log == nil {
		cfg.Log = slog.Default()
	}
	if cfg.Turns == nil {
		cfg.Turns = turn.New(turn.WithMetrics(cfg.Metrics), turn.WithLogger(cfg.Log))
	}
	return &Engine{cfg: cfg, turns: cfg.Turns, speech: newSpeechCache(64)}, nil
}

// frameQueue bounds the caller frames waiting for the loop (1 s); beyond,
// frames are dropped and counted rather than blocking the media reader.
const frameQueue = 50

// frame is one 20 ms caller frame and when it arrived.
type frame struct {
	pcm [media.SinkFrameSamples]int16
	at  time.Time
}

// conversation is one call's loop.
type conversation struct {
	e         *Engine
	log       *slog.Logger
	callID    string
	spec      *agent.Spec
	texts     agent.CallTexts // the spec's system prompt and greeting for this call
	prov      host.Providers
	providers metrics.Providers
	line      live.Line
	ctx       context.Context
	cancel    context.CancelFunc
	frames    chan *frame
	pool      sync.Pool
	dropped   atomic.Int64
	done      chan struct{}
	turns     *recorder     // stores turns off the loop
	fault     fault.Handler // c.onPanic, deferred by every goroutine of the call

	// Owned by the loop goroutine.
	lis     listener               // the listening half
	bc      *endpoint.Backchannels // acknowledgements over the agent; nil when off
	history []*store.Turn
	reply   *reply   // the agent's turn being written or spoken
	running int      // replies whose results are still to come
	finals  []*uturn // caller turns waiting for their final transcript
	results chan *reply
	stt     chan sttEvent
	life    lifetime // max duration and silence
	heardIn string   // the language the caller was last heard in
}

// language is what the agent speaks now: its own, or for language auto
// the one the caller was last heard in.
func (c *conversation) language() string { return turn.Language(c.spec, c.heardIn) }

// Start begins the conversation of c: the greeting plays, then the agent
// listens.
func (e *Engine) Start(ctx context.Context, c *call.Call, spec *agent.Spec, line live.Line) (live.Conversation, error) {
	conv, err := e.newConversation(ctx, c, spec, line)
	if err != nil {
		return nil, err
	}
	go conv.loop()
	return conv, nil
}

// newConversation makes c's conversation ready for its loop (tests drive
// one without it).
func (e *Engine) newConversation(ctx context.Context, c *call.Call, spec *agent.Spec, line live.Line) (*conversation, error) {
	prov, err := e.cfg.Providers.For(spec)
	if err != nil {
		return nil, fmt.Errorf("conversation of call %s: %w", c.ID, err)
	}
	vad, err := e.cfg.NewVAD()
	if err != nil {
		return nil, fmt.Errorf("conversation of call %s: vad: %w", c.ID, err)
	}
	ctx, cancel := context.WithCancel(ctx)
	conv := &conversation{
		e:      e,
		log:    e.cfg.Log.With("call", c.ID, "agent", spec.Name),
		callID: c.ID,
		spec:   spec,
		texts:  spec.RenderForCall(c.ID, c.CallerNumber.String(), c.Variables, time.Now()),
		prov:   prov,
		providers: metrics.Providers{
			STT: spec.Providers.STT.Plugin, Chat: spec.Providers.Chat.Plugin, TTS: spec.Providers.TTS.Plugin,
		},
		line:    line,
		ctx:     ctx,
		cancel:  cancel,
		frames:  make(chan *frame, frameQueue),
		done:    make(chan struct{}),
		results: make(chan *reply, 4),
		stt:     make(chan sttEvent, 64),
	}
	conv.pool.New = func() any { return new(frame) }
	conv.fault = conv.onPanic
	conv.lis = newListener(conv, vad)
	conv.bc = newBackchannels(spec)
	maxDuration := time.Duration(spec.MaxDuration)
	if maxDuration <= 0 {
		maxDuration = e.cfg.MaxDuration
	}
	if maxDuration > 0 && !c.ConnectedAt.IsZero() {
		// A conversation restarted by a new offer keeps the call's clock.
		maxDuration = max(maxDuration-time.Since(c.ConnectedAt), time.Millisecond)
	}
	conv.life = newLifetime(maxDuration, spec)
	conv.turns = newRecorder(conv)
	return conv, nil
}

// WriteFrame queues a caller frame for the loop (media.Sink). It never
// blocks: when the loop is a second behind, the frame is dropped.
func (c *conversation) WriteFrame(pcm []int16) {
	f := c.pool.Get().(*frame)
	copy(f.pcm[:], pcm)
	f.at = time.Now()
	select {
	case c.frames <- f:
	default:
		c.pool.Put(f)
		if c.dropped.Add(1)%50 == 1 {
			c.log.Warn("conversation is behind: caller audio dropped", "frames", c.dropped.Load())
		}
	}
}

// Close stops the conversation and waits for it: the call has ended.
func (c *conversation) Close() {
	c.cancel()
	<-c.done
}

// onPanic handles a panic contained in one of the call's goroutines: the
// conversation stops and the call fails (live logs and counts it).
func (c *conversation) onPanic(p *fault.Panic) {
	c.cancel()
	if c.line.Fault != nil {
		c.line.Fault(p)
		return
	}
	c.log.Error("panic contained: the conversation stops", "component", p.Component, "panic", fmt.Sprint(p.Value), "stack", string(p.Stack))
	c.e.cfg.Metrics.Panicked(p.Component)
}

// loop owns the conversation's state until the call ends.
func (c *conversation) loop() {
	defer close(c.done)
	defer c.turns.close() // last: every turn is stored before Close returns
	defer c.closeListener()
	defer c.life.stop()
	defer fault.Recover(metrics.ComponentPipeline, c.fault)
	if c.texts.Greeting != "" {
		c.greet()
	}
	for {
		c.idle()
		select {
		case <-c.ctx.Done():
			c.stopReply()
			return
		case f := <-c.frames:
			c.hear(f)
			c.pool.Put(f)
		case <-c.lis.eot.C:
			c.endOfTurnDue()
		case ev := <-c.stt:
			c.onTranscript(ev)
		case r := <-c.results:
			c.finishReply(r)
		case <-c.life.maxDurationC():
			c.wrapUp(call.ReasonMaxDuration)
		case <-c.life.silence.C:
			c.onSilence()
		}
	}
}
