package host

import (
	"context"
	"fmt"
	"math"
	"sync"
	"unicode/utf8"

	"github.com/parleyhq/parley/runtime/pcm"
	"github.com/parleyhq/parley/runtime/provider"
)

// The capabilities of a Process. Each request takes the plugin's current
// connection (failing at once while it has none), applies the configured
// request timeout, names the plugin in its errors and checks what comes
// back against the contract.
var (
	_ provider.STT       = sttProxy{}
	_ provider.Chat      = chatProxy{}
	_ provider.TTS       = ttsProxy{}
	_ provider.Sentiment = sentimentProxy{}
)

// STT returns the plugin's speech-to-text.
func (p *Process) STT() provider.STT { return sttProxy{p} }

// Chat returns the plugin's chat.
func (p *Process) Chat() provider.Chat { return chatProxy{p} }

// TTS returns the plugin's text-to-speech.
func (p *Process) TTS() provider.TTS { return ttsProxy{p} }

// Sentiment returns the plugin's sentiment analysis.
func (p *Process) Sentiment() provider.Sentiment { return sentimentProxy{p} }

func (p *Process) wrap(err error) error {
	if err == nil {
		return nil
	}
	return fmt.Errorf("plugin %s: %w", p.name, err)
}

func (p *Process) unsupported(k provider.Kind) error {
	return fmt.Errorf("plugin %s: %w: it does not serve %s", p.name, provider.ErrUnsupported, k)
}

func (p *Process) badResponse(format string, args ...any) error {
	return fmt.Errorf("plugin %s: %w: %s", p.name, ErrBadResponse, fmt.Sprintf(format, args...))
}

func validAudio(p *Process, a pcm.Audio) error {
	if a.Rate < 8000 || a.Rate > 48000 {
		return p.badResponse("audio sample rate %d Hz is outside 8000..48000", a.Rate)
	}
	return nil
}

func validTranscript(p *Process, t provider.Transcript) error {
	if t.Confidence < 0 || t.Confidence > 1 || math.IsNaN(t.Confidence) {
		return p.badResponse("transcript confidence %v is outside 0..1", t.Confidence)
	}
	if !utf8.ValidString(t.Text) {
		return p.badResponse("transcript is not valid UTF-8")
	}
	return nil
}

type sttProxy struct{ p *Process }

func (s sttProxy) StreamSTT(ctx context.Context, cfg provider.STTConfig) (provider.STTStream, error) {
	conn, err := s.p.current()
	if err != nil {
		return nil, err
	}
	if conn.STT == nil {
		return nil, s.p.unsupported(provider.KindSTT)
	}
	st, err := conn.STT.StreamSTT(ctx, cfg)
	if err != nil {
		return nil, s.p.wrap(err)
	}
	return &sttStream{STTStream: st, p: s.p}, nil
}

func (s sttProxy) Transcribe(ctx context.Context, req provider.TranscribeRequest) (provider.Transcript, error) {
	conn, err := s.p.current()
	if err != nil {
		return provider.Transcript{}, err
	}
	if conn.STT == nil {
		return provider.Transcript{}, s.p.unsupported(provider.KindSTT)
	}
	ctx, cancel := context.WithTimeout(ctx, s.p.cfg.RequestTimeout)
	defer cancel()
	t, err := conn.STT.Transcribe(ctx, req)
	if err != nil {
		return t, s.p.wrap(err)
	}
	return t, validTranscript(s.p, t)
}

type sttStream struct {
	provider.STTStream
	p *Process
}

func (s *sttStream) SendAudio(pcm []int16) error { return s.p.wrap(s.STTStream.SendAudio(pcm)) }
func (s *sttStream) EndUtterance() error         { return s.p.wrap(s.STTStream.EndUtterance()) }

func (s *sttStream) Recv() (provider.Transcript, error) {
	t, err := s.STTStream.Recv()
	if err != nil {
		return t, passEOF(s.p, err)
	}
	return t, validTranscript(s.p, t)
}

type chatProxy struct{ p *Process }

func (c chatProxy) Complete(ctx context.Context, req provider.ChatRequest) (provider.Stream[provider.ChatDelta], error) {
	conn, err := c.p.current()
	if err != nil {
		return nil, err
	}
	if conn.Chat == nil {
		return nil, c.p.unsupported(provider.KindChat)
	}
	ctx, cancel := context.WithTimeout(ctx, c.p.cfg.RequestTimeout)
	st, err := conn.Chat.Complete(ctx, req)
	if err != nil {
		cancel()
		return nil, c.p.wrap(err)
	}
	return &checked[provider.ChatDelta]{in: st, p: c.p, cancel: cancel, check: func(d provider.ChatDelta) error {
		if !utf8.ValidString(d.Text) {
			return c.p.badResponse("chat text is not valid UTF-8")
		}
		return nil
	}}, nil
}

type ttsProxy struct{ p *Process }

func (t ttsProxy) Synthesize(ctx context.Context, req provider.TTSRequest) (provider.Stream[pcm.Audio], error) {
	conn, err := t.p.current()
	if err != nil {
		return nil, err
	}
	if conn.TTS == nil {
		return nil, t.p.unsupported(provider.KindTTS)
	}
	ctx, cancel := context.WithTimeout(ctx, t.p.cfg.RequestTimeout)
	st, err := conn.TTS.Synthesize(ctx, req)
	if err != nil {
		cancel()
		return nil, t.p.wrap(err)
	}
	return &checked[pcm.Audio]{in: st, p: t.p, cancel: cancel, check: func(a pcm.Audio) error { return validAudio(t.p, a) }}, nil
}

// checked is a stream whose values are checked against the contract and
// whose errors name the plugin.
type checked[T any] struct {
	in     provider.Stream[T]
	p      *Process
	cancel context.CancelFunc
	check  func(T) error
	once   sync.Once
}

func (c *checked[T]) Recv() (T, error) {
	v, err := c.in.Recv()
	if err != nil {
		return v, passEOF(c.p, err)
	}
	if err := c.check(v); err != nil {
		var zero T
		return zero, err
	}
	return v, nil
}

func (c *checked[T]) Close() error {
	err := c.in.Close()
	c.once.Do(c.cancel)
	return err
}

type sentimentProxy struct{ p *Process }

func (s sentimentProxy) Analyze(ctx context.Context, req provider.SentimentRequest) (provider.SentimentResult, error) {
	conn, err := s.p.current()
	if err != nil {
		return provider.SentimentResult{}, err
	}
	if conn.Sentiment == nil {
		return provider.SentimentResult{}, s.p.unsupported(provider.KindSentiment)
	}
	ctx, cancel := context.WithTimeout(ctx, s.p.cfg.RequestTimeout)
	defer cancel()
	r, err := conn.Sentiment.Analyze(ctx, req)
	if err != nil {
		return r, s.p.wrap(err)
	}
	switch r.Label {
	case provider.Positive, provider.Neutral, provider.Negative:
	default:
		return provider.SentimentResult{}, s.p.badResponse("sentiment label %q is not positive, neutral or negative", r.Label)
	}
	if math.IsNaN(r.Score) || r.Score < 0 || r.Score > 1 {
		return provider.SentimentResult{}, s.p.badResponse("sentiment score %v is outside 0..1", r.Score)
	}
	return r, nil
}
