package provider_test

import (
	"context"
	"errors"
	"fmt"
	"io"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
	"go.uber.org/goleak"

	"github.com/parleyhq/parley/runtime/pcm"
	"github.com/parleyhq/parley/runtime/provider"
	"github.com/parleyhq/parley/runtime/provider/providertest"
)

func TestMain(m *testing.M) { goleak.VerifyTestMain(m) }

// fakeSTT counts samples: a partial per frame, a final per utterance.
type fakeSTT struct{}

func (fakeSTT) StreamSTT(ctx context.Context, cfg provider.STTConfig) (provider.STTStream, error) {
	if cfg.SampleRate != 16000 {
		return nil, fmt.Errorf("%w: sample rate %d", provider.ErrInvalidInput, cfg.SampleRate)
	}
	return &fakeSTTStream{out: make(chan provider.Transcript, 64), lang: cfg.Language}, nil
}

func (fakeSTT) Transcribe(_ context.Context, req provider.TranscribeRequest) (provider.Transcript, error) {
	return provider.Transcript{Text: fmt.Sprintf("%d samples at %d", len(req.Audio.Samples), req.Audio.Rate), Final: true, Language: req.Language}, nil
}

type fakeSTTStream struct {
	mu      sync.Mutex
	samples int
	sum     int
	out     chan provider.Transcript
	lang    string
	closed  bool
}

func (s *fakeSTTStream) SendAudio(pcm []int16) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.closed {
		return errors.New("closed")
	}
	s.samples += len(pcm)
	for _, v := range pcm {
		s.sum += int(v)
	}
	s.out <- provider.Transcript{Text: fmt.Sprint(s.samples)}
	return nil
}

func (s *fakeSTTStream) EndUtterance() error {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.out <- provider.Transcript{Text: fmt.Sprintf("%d samples sum %d", s.samples, s.sum), Final: true, Confidence: 0.9, Language: s.lang}
	s.samples, s.sum = 0, 0
	return nil
}

func (s *fakeSTTStream) Recv() (provider.Transcript, error) {
	t, ok := <-s.out
	if !ok {
		return t, io.EOF
	}
	return t, nil
}

func (s *fakeSTTStream) CloseSend() error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if !s.closed {
		s.closed = true
		close(s.out)
	}
	return nil
}

func (s *fakeSTTStream) Close() error { return s.CloseSend() }

// fakeChat streams the words of the last message back, one per delta, until
// its context ends.
type fakeChat struct{ started chan struct{} }

func (c fakeChat) Complete(ctx context.Context, req provider.ChatRequest) (provider.Stream[provider.ChatDelta], error) {
	if req.Options["key"] == "bad" {
		return nil, fmt.Errorf("%w: invalid API key", provider.ErrUnauthorized)
	}
	last := req.Messages[len(req.Messages)-1].Content
	return provider.Produce(ctx, func(ctx context.Context, send func(provider.ChatDelta) error) error {
		for _, w := range strings.Fields(last) {
			if err := send(provider.ChatDelta{Text: w + " "}); err != nil {
				return err
			}
		}
		if last == "forever" {
			close(c.started)
			<-ctx.Done()
			return ctx.Err()
		}
		return send(provider.ChatDelta{EndCall: strings.Contains(last, "bye")})
	}), nil
}

type fakeTTS struct{}

func (fakeTTS) Synthesize(ctx context.Context, req provider.TTSRequest) (provider.Stream[pcm.Audio], error) {
	return provider.Produce(ctx, func(ctx context.Context, send func(pcm.Audio) error) error {
		for i := range len(req.Text) {
			if err := send(pcm.Audio{Samples: []int16{int16(i), -int16(i), 32767, -32768}, Rate: 22050}); err != nil {
				return err
			}
		}
		return nil
	}), nil
}

type fakeSentiment struct{}

func (fakeSentiment) Analyze(_ context.Context, req provider.SentimentRequest) (provider.SentimentResult, error) {
	if req.Text == "" {
		return provider.SentimentResult{}, fmt.Errorf("%w: empty text", provider.ErrInvalidInput)
	}
	return provider.SentimentResult{Label: provider.Positive, Score: 0.75}, nil
}

type fakeValidator struct{}

func (fakeValidator) ValidateOptions(_ context.Context, req provider.ValidateRequest) ([]provider.OptionProblem, error) {
	if _, ok := req.Options["model"].(string); req.Options["model"] != nil && !ok {
		return []provider.OptionProblem{{Option: "model", Message: "must be a string"}}, nil
	}
	return nil, nil
}

func connect(t *testing.T, started chan struct{}) *provider.Client {
	return providertest.Connect(t, provider.ServeConfig{
		Name: "fake", Version: "1.2.3",
		STT: fakeSTT{}, Chat: fakeChat{started: started}, TTS: fakeTTS{}, Sentiment: fakeSentiment{}, Validator: fakeValidator{},
	})
}

func TestDescribeAndValidate(t *testing.T) {
	c := connect(t, nil)
	require.Equal(t, provider.Description{Name: "fake", Version: "1.2.3", Kinds: provider.Kinds()}, c.Description)
	problems, err := c.Validator.ValidateOptions(context.Background(), provider.ValidateRequest{Kind: provider.KindChat, Options: provider.Options{"model": 4}})
	require.NoError(t, err)
	require.Equal(t, []provider.OptionProblem{{Option: "model", Message: "must be a string"}}, problems)
	require.Equal(t, "options.model: must be a string", problems[0].String())
}

// TestMaxStreamsCrossesTheBoundary: a declared stream limit reaches the
// runtime; a plugin that declares none (as one built before the field
// existed) reports 0, no limit.
func TestMaxStreamsCrossesTheBoundary(t *testing.T) {
	limited := providertest.Connect(t, provider.ServeConfig{Name: "heavy", Version: "1", STT: fakeSTT{}, MaxStreams: 12})
	require.Equal(t, 12, limited.Description.MaxStreams)
	require.Equal(t, 0, connect(t, nil).Description.MaxStreams)
}

// TestLanguagesCrossTheBoundary: declared languages reach the runtime; a
// plugin that declares none serves any language.
func TestLanguagesCrossTheBoundary(t *testing.T) {
	en := providertest.Connect(t, provider.ServeConfig{Name: "en-only", Version: "1", STT: fakeSTT{}, Languages: []string{"en", "pt-BR"}})
	require.Equal(t, []string{"en", "pt-BR"}, en.Description.Languages)
	require.True(t, en.Description.SupportsLanguage("en-GB"))
	require.False(t, en.Description.SupportsLanguage("fr"))
	anyLang := connect(t, nil).Description
	require.Empty(t, anyLang.Languages)
	require.True(t, anyLang.SupportsLanguage("fr"))
}

func TestSTTStreamCrossesTheBoundary(t *testing.T) {
	c := connect(t, nil)
	ctx := context.Background()
	st, err := c.STT.StreamSTT(ctx, provider.STTConfig{Language: "en", SampleRate: 16000})
	require.NoError(t, err)
	defer st.Close()
	frame := make([]int16, 320)
	for i := range frame {
		frame[i] = int16(i - 160)
	}
	for range 3 {
		require.NoError(t, st.SendAudio(frame))
	}
	require.NoError(t, st.EndUtterance())
	require.NoError(t, st.CloseSend())
	var got []provider.Transcript
	for {
		tr, err := st.Recv()
		if errors.Is(err, io.EOF) {
			break
		}
		require.NoError(t, err)
		got = append(got, tr)
	}
	require.Equal(t, []provider.Transcript{
		{Text: "320"}, {Text: "640"}, {Text: "960"},
		{Text: "960 samples sum -480", Final: true, Confidence: float64(float32(0.9)), Language: "en"},
	}, got)

	tr, err := c.STT.Transcribe(ctx, provider.TranscribeRequest{Audio: pcm.Audio{Samples: frame, Rate: 16000}, Language: "ko"})
	require.NoError(t, err)
	require.Equal(t, "320 samples at 16000", tr.Text)
	require.True(t, tr.Final)
}

func TestSTTConfigErrorSurfaces(t *testing.T) {
	c := connect(t, nil)
	st, err := c.STT.StreamSTT(context.Background(), provider.STTConfig{SampleRate: 8000})
	if err == nil {
		defer st.Close()
		_, err = st.Recv()
	}
	require.ErrorIs(t, err, provider.ErrInvalidInput)
	require.Contains(t, err.Error(), "sample rate 8000")
}

func TestChatStreamAndEndCall(t *testing.T) {
	c := connect(t, nil)
	st, err := c.Chat.Complete(context.Background(), provider.ChatRequest{
		SystemPrompt: "x", Messages: []provider.Message{{Role: provider.RoleUser, Content: "ok thanks bye"}},
	})
	require.NoError(t, err)
	deltas, err := provider.Collect(st)
	require.NoError(t, err)
	require.Equal(t, []provider.ChatDelta{{Text: "ok "}, {Text: "thanks "}, {Text: "bye "}, {EndCall: true}}, deltas)
}

func TestChatCancelStopsGeneration(t *testing.T) {
	started := make(chan struct{})
	c := connect(t, started)
	ctx, cancel := context.WithCancel(context.Background())
	st, err := c.Chat.Complete(ctx, provider.ChatRequest{Messages: []provider.Message{{Role: provider.RoleUser, Content: "forever"}}})
	require.NoError(t, err)
	_, err = st.Recv()
	require.NoError(t, err)
	<-started
	cancel()
	_, err = st.Recv()
	require.ErrorIs(t, err, context.Canceled)
	require.NoError(t, st.Close())
	require.NoError(t, st.Close(), "Close twice is safe")
}

func TestTypedErrorsCrossTheBoundary(t *testing.T) {
	c := connect(t, nil)
	st, err := c.Chat.Complete(context.Background(), provider.ChatRequest{
		Messages: []provider.Message{{Content: "hi"}}, Options: provider.Options{"key": "bad"},
	})
	if err == nil {
		_, err = st.Recv()
		_ = st.Close()
	}
	require.ErrorIs(t, err, provider.ErrUnauthorized)
	require.Contains(t, err.Error(), "invalid API key")

	_, err = c.Sentiment.Analyze(context.Background(), provider.SentimentRequest{})
	require.ErrorIs(t, err, provider.ErrInvalidInput)
	require.False(t, errors.Is(err, provider.ErrUnauthorized))
}

func TestTTSAndSentiment(t *testing.T) {
	c := connect(t, nil)
	st, err := c.TTS.Synthesize(context.Background(), provider.TTSRequest{Text: "abc"})
	require.NoError(t, err)
	chunks, err := provider.Collect(st)
	require.NoError(t, err)
	require.Len(t, chunks, 3)
	require.Equal(t, pcm.Audio{Samples: []int16{2, -2, 32767, -32768}, Rate: 22050}, chunks[2])

	r, err := c.Sentiment.Analyze(context.Background(), provider.SentimentRequest{Text: "great"})
	require.NoError(t, err)
	require.Equal(t, provider.SentimentResult{Label: provider.Positive, Score: 0.75}, r)
}

func TestProduceStopsOnClose(t *testing.T) {
	exited := make(chan struct{})
	st := provider.Produce(context.Background(), func(ctx context.Context, send func(int) error) error {
		defer close(exited)
		for i := 0; ; i++ {
			if err := send(i); err != nil {
				return err
			}
		}
	})
	v, err := st.Recv()
	require.NoError(t, err)
	require.Equal(t, 0, v)
	require.NoError(t, st.Close())
	select {
	case <-exited:
	case <-time.After(time.Second):
		t.Fatal("producer still running after Close")
	}
}

// recordingChat keeps the request it got and answers with scripted deltas.
type recordingChat struct {
	got    chan provider.ChatRequest
	deltas []provider.ChatDelta
}

func (c recordingChat) Complete(ctx context.Context, req provider.ChatRequest) (provider.Stream[provider.ChatDelta], error) {
	c.got <- req
	return provider.Produce(ctx, func(ctx context.Context, send func(provider.ChatDelta) error) error {
		for _, d := range c.deltas {
			if err := send(d); err != nil {
				return err
			}
		}
		return nil
	}), nil
}

// TestChatToolsCrossTheBoundary: tools, tool calls in the history, tool
// results and streamed tool calls (parallel, malformed arguments as
// written) arrive unchanged on the other side.
func TestChatToolsCrossTheBoundary(t *testing.T) {
	deltas := []provider.ChatDelta{
		{Text: "Let me check. "},
		{ToolCalls: []provider.ToolCall{
			{ID: "call_a", Name: "lookup_order", Arguments: `{"order_number":"12345"}`},
			{ID: "call_b", Name: "weather", Arguments: `{"city": "Seo`},
		}},
		{EndCall: true},
	}
	rec := recordingChat{got: make(chan provider.ChatRequest, 1), deltas: deltas}
	c := providertest.Connect(t, provider.ServeConfig{Name: "rec", Version: "1", Chat: rec})
	req := provider.ChatRequest{
		SystemPrompt: "s", Language: "en", Options: provider.Options{"model": "m"},
		Tools: []provider.Tool{
			{Name: "lookup_order", Description: "Find an order", Parameters: []byte(`{"type":"object","properties":{"order_number":{"type":"string"}}}`)},
			{Name: "no_params"},
		},
		Messages: []provider.Message{
			{Role: provider.RoleUser, Content: "where is order 12345"},
			{Role: provider.RoleAssistant, ToolCalls: []provider.ToolCall{{ID: "call_0", Name: "lookup_order", Arguments: `{"order_number":"12345"}`}}},
			{Role: provider.RoleTool, ToolCallID: "call_0", Content: `{"status":"shipped"}`},
			{Role: provider.RoleAssistant, Content: "It has shipped."},
			{Role: provider.RoleUser, Content: "and the weather?"},
		},
	}
	st, err := c.Chat.Complete(context.Background(), req)
	require.NoError(t, err)
	got, err := provider.Collect(st)
	require.NoError(t, err)
	require.Equal(t, deltas, got)
	require.Equal(t, req, <-rec.got)
}

// TestChatWithoutToolsIsUnchanged: a request without tools reaches the
// plugin with none (nil, as before the fields existed).
func TestChatWithoutToolsIsUnchanged(t *testing.T) {
	rec := recordingChat{got: make(chan provider.ChatRequest, 1), deltas: []provider.ChatDelta{{Text: "hi"}}}
	c := providertest.Connect(t, provider.ServeConfig{Name: "rec", Version: "1", Chat: rec})
	req := provider.ChatRequest{Messages: []provider.Message{{Role: provider.RoleUser, Content: "hello"}}, Options: provider.Options{}}
	st, err := c.Chat.Complete(context.Background(), req)
	require.NoError(t, err)
	got, err := provider.Collect(st)
	require.NoError(t, err)
	require.Equal(t, []provider.ChatDelta{{Text: "hi"}}, got)
	r := <-rec.got
	require.Nil(t, r.Tools)
	require.Nil(t, r.Messages[0].ToolCalls)
	require.Equal(t, req, r)
}
