package pipeline

import (
	"context"
	"errors"
	"io"
	"math"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/parleyhq/parley/runtime/agent"
	"github.com/parleyhq/parley/runtime/pcm"
	"github.com/parleyhq/parley/runtime/provider"
	"github.com/parleyhq/parley/runtime/provider/host"
	"github.com/parleyhq/parley/runtime/store"
)

// fakeProviders are in-process providers with fixed behaviour.
type fakeProviders struct {
	chatPanic  atomic.Bool   // Complete panics (on the reply's goroutine)
	sttDelay   time.Duration // EndUtterance -> final
	heard      atomic.Value  // string: the text every final says
	chatFail   atomic.Int32  // fail this many chat requests first
	chatDelay  time.Duration // request -> first token
	reply      atomic.Value  // string: the reply text
	ttsPerRune time.Duration // audio per rune of text
	sttStreams atomic.Int32
	ttsCalls   atomic.Int32
	heardLang  atomic.Value // string: the language every final says it heard
	ttsLangs   sync.Map     // language -> true: what TTS was asked to speak in
	// tool, when set, is called by the chat's first request of a turn with
	// toolArgs; the answer to its result repeats the result.
	tool     atomic.Value // string
	toolArgs atomic.Value // string
	prompt   atomic.Value // string: the system prompt of the last chat request
	// partial, when not empty, is what every partial transcript says
	// (instead of one more word of heard each half second).
	partial atomic.Value // string
	// noPartials: the STT sends finals only (as Whisper does).
	noPartials atomic.Bool
	// utterance is how many samples the last utterance (up to an
	// EndUtterance) had; chats counts chat requests.
	utterance atomic.Int64
	chats     atomic.Int32
}

func newFakeProviders() *fakeProviders {
	f := &fakeProviders{sttDelay: 20 * time.Millisecond, chatDelay: 20 * time.Millisecond, ttsPerRune: 40 * time.Millisecond}
	f.heard.Store("where is my order")
	f.reply.Store("Your order arrives tomorrow. Anything else?")
	f.heardLang.Store("")
	f.tool.Store("")
	f.toolArgs.Store("{}")
	f.partial.Store("")
	return f
}

func (f *fakeProviders) For(*agent.Spec) (host.Providers, error) {
	return host.Providers{STT: fakeSTT{f}, Chat: fakeChat{f}, TTS: fakeTTS{f}, Sentiment: fakeSentiment{}}, nil
}

type fakeSTT struct{ f *fakeProviders }

func (s fakeSTT) StreamSTT(ctx context.Context, _ provider.STTConfig) (provider.STTStream, error) {
	s.f.sttStreams.Add(1)
	ctx, cancel := context.WithCancel(ctx)
	return &fakeSTTStream{f: s.f, ctx: ctx, cancel: cancel, out: make(chan provider.Transcript, 16)}, nil
}

func (fakeSTT) Transcribe(context.Context, provider.TranscribeRequest) (provider.Transcript, error) {
	return provider.Transcript{}, errors.New("not used")
}

type fakeSTTStream struct {
	f      *fakeProviders
	ctx    context.Context
	cancel context.CancelFunc
	out    chan provider.Transcript
	mu     sync.Mutex
	n      int // samples since the last EndUtterance
}

func (s *fakeSTTStream) SendAudio(pcm []int16) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.n += len(pcm)
	if s.n%8000 < len(pcm) && !s.f.noPartials.Load() { // a partial every half second, one more word each
		words := strings.Fields(s.f.heard.Load().(string))
		text := strings.Join(words[:min(s.n/8000, len(words))], " ")
		if p := s.f.partial.Load().(string); p != "" {
			text = p
		}
		select {
		case s.out <- provider.Transcript{Text: text}:
		default:
		}
	}
	return s.ctx.Err()
}

func (s *fakeSTTStream) EndUtterance() error {
	s.mu.Lock()
	s.f.utterance.Store(int64(s.n))
	s.n = 0
	s.mu.Unlock()
	text := s.f.heard.Load().(string)
	time.AfterFunc(s.f.sttDelay, func() {
		select {
		case s.out <- provider.Transcript{Text: text, Final: true, Language: s.f.heardLang.Load().(string)}:
		case <-s.ctx.Done():
		}
	})
	return nil
}

func (s *fakeSTTStream) Recv() (provider.Transcript, error) {
	select {
	case t := <-s.out:
		return t, nil
	case <-s.ctx.Done():
		return provider.Transcript{}, io.EOF
	}
}

func (s *fakeSTTStream) CloseSend() error { return nil }
func (s *fakeSTTStream) Close() error     { s.cancel(); return nil }

type fakeChat struct{ f *fakeProviders }

func (c fakeChat) Complete(ctx context.Context, req provider.ChatRequest) (provider.Stream[provider.ChatDelta], error) {
	if c.f.chatPanic.Load() {
		panic("injected chat bug")
	}
	if c.f.chatFail.Add(-1) >= 0 {
		return nil, provider.ErrUnavailable
	}
	c.f.prompt.Store(req.SystemPrompt)
	c.f.chats.Add(1)
	text := c.f.reply.Load().(string)
	last := req.Messages[len(req.Messages)-1]
	tool := c.f.tool.Load().(string)
	if tool != "" && last.Role == provider.RoleUser && len(req.Tools) > 0 {
		args := c.f.toolArgs.Load().(string)
		return provider.Produce(ctx, func(ctx context.Context, send func(provider.ChatDelta) error) error {
			if err := send(provider.ChatDelta{Text: "Let me check. "}); err != nil {
				return err
			}
			return send(provider.ChatDelta{ToolCalls: []provider.ToolCall{{ID: "t1", Name: tool, Arguments: args}}})
		}), nil
	}
	if last.Role == provider.RoleTool {
		text = "The tool said " + last.Content
	}
	return provider.Produce(ctx, func(ctx context.Context, send func(provider.ChatDelta) error) error {
		select {
		case <-time.After(c.f.chatDelay):
		case <-ctx.Done():
			return ctx.Err()
		}
		for _, w := range strings.SplitAfter(text, " ") {
			if err := send(provider.ChatDelta{Text: w}); err != nil {
				return err
			}
		}
		return send(provider.ChatDelta{EndCall: strings.Contains(strings.ToLower(text), "goodbye")})
	}), nil
}

type fakeTTS struct{ f *fakeProviders }

// Synthesize returns a 300 Hz tone as long as the text, in 100 ms chunks.
func (t fakeTTS) Synthesize(ctx context.Context, req provider.TTSRequest) (provider.Stream[pcm.Audio], error) {
	t.f.ttsCalls.Add(1)
	t.f.ttsLangs.Store(req.Language, true)
	n := int(time.Duration(len([]rune(req.Text))) * t.f.ttsPerRune * 16000 / time.Second)
	return provider.Produce(ctx, func(ctx context.Context, send func(pcm.Audio) error) error {
		for i := 0; i < n; i += 1600 {
			samples := make([]int16, min(1600, n-i))
			for j := range samples {
				samples[j] = int16(6000 * math.Sin(2*math.Pi*300*float64(i+j)/16000))
			}
			if err := send(pcm.Audio{Samples: samples, Rate: 16000}); err != nil {
				return err
			}
		}
		return nil
	}), nil
}

type fakeSentiment struct{}

func (fakeSentiment) Analyze(context.Context, provider.SentimentRequest) (provider.SentimentResult, error) {
	return provider.SentimentResult{Label: "neutral", Score: 0.5}, nil
}

// energyVAD scores 512-sample windows by loudness: a stand-in for Silero.
type energyVAD struct {
	buf   []int16
	probs []float32
	bug   *atomic.Bool // when set and true, Write panics (on the loop)
}

func (v *energyVAD) WindowSamples() int { return 512 }
func (v *energyVAD) Close() error       { return nil }

func (v *energyVAD) Write(s []int16) ([]float32, error) {
	if v.bug != nil && v.bug.Load() {
		var m map[string]int
		m["boom"]++ //nolint:staticcheck // the injected bug
	}
	v.buf = append(v.buf, s...)
	v.probs = v.probs[:0]
	for len(v.buf) >= 512 {
		var sum float64
		for _, x := range v.buf[:512] {
			sum += float64(x) * float64(x)
		}
		p := float32(0)
		if math.Sqrt(sum/512) > 500 {
			p = 1
		}
		v.probs = append(v.probs, p)
		v.buf = v.buf[512:]
	}
	return v.probs, nil
}

// memStore keeps turns in memory. It can be made to hang (like a stuck
// disk) or to fail (like a full one).
type memStore struct {
	mu    sync.Mutex
	turns []*store.Turn
	gate  chan struct{} // when set, AppendTurns waits for it to close (or ctx)
	fail  error         // when set, AppendTurns fails with it
	calls atomic.Int32
}

func (m *memStore) AppendTurns(ctx context.Context, _ string, turns ...*store.Turn) error {
	m.calls.Add(1)
	m.mu.Lock()
	gate, fail := m.gate, m.fail
	m.mu.Unlock()
	if gate != nil {
		select {
		case <-gate:
		case <-ctx.Done():
			return ctx.Err()
		}
	}
	if fail != nil {
		return fail
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	for _, t := range turns {
		t.Seq = len(m.turns) + 1
		m.turns = append(m.turns, t)
	}
	return nil
}

func (m *memStore) all() []*store.Turn {
	m.mu.Lock()
	defer m.mu.Unlock()
	return append([]*store.Turn(nil), m.turns...)
}
