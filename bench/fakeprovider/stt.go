package main

import (
	"context"
	"errors"
	"io"
	"strings"
	"sync"
	"time"

	"github.com/parleyhq/parley/internal/ctxtime"
	"github.com/parleyhq/parley/runtime/provider"
)

// partialEvery is how much audio passes between two partial transcripts.
const partialEvery = 500 * time.Millisecond

// errStreamClosed is a send on a stream after CloseSend or Close.
var errStreamClosed = errors.New("stt stream closed")

// stt answers every utterance with the same text, a fixed time after its
// end.
type stt struct{}

var _ provider.STT = stt{}

func (stt) StreamSTT(ctx context.Context, cfg provider.STTConfig) (provider.STTStream, error) {
	o, p := parseSTT(cfg.Options)
	if err := p.err(); err != nil {
		return nil, err
	}
	rate := cfg.SampleRate
	if rate <= 0 {
		rate = 16000
	}
	ctx, cancel := context.WithCancel(ctx)
	s := &sttStream{
		ctx: ctx, cancel: cancel, opts: o, every: int(partialEvery.Seconds() * float64(rate)),
		out: make(chan provider.Transcript), partials: make(chan string, 1), ends: make(chan time.Time, 64),
	}
	go s.run()
	return s, nil
}

func (stt) Transcribe(ctx context.Context, req provider.TranscribeRequest) (provider.Transcript, error) {
	o, p := parseSTT(req.Options)
	if err := p.err(); err != nil {
		return provider.Transcript{}, err
	}
	if err := ctxtime.Sleep(ctx, o.Final); err != nil {
		return provider.Transcript{}, err
	}
	return provider.Transcript{Text: o.Text, Final: true, Confidence: 1, Language: req.Language}, nil
}

// sttStream is one recognition. Only run writes to out (and closes it):
// SendAudio hands it partials without blocking, EndUtterance the time each
// final is due.
type sttStream struct {
	ctx    context.Context
	cancel context.CancelFunc
	opts   sttOptions
	every  int // samples between partials

	out      chan provider.Transcript
	partials chan string
	ends     chan time.Time

	mu      sync.Mutex
	closed  bool
	samples int // of the current utterance
}

func (s *sttStream) SendAudio(pcm []int16) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.closed {
		return errStreamClosed
	}
	before := s.samples / s.every
	s.samples += len(pcm)
	if n := s.samples / s.every; n > before {
		words := strings.Fields(s.opts.Text)
		select {
		case s.partials <- strings.Join(words[:min(n, len(words))], " "):
		default: // the last partial is still waiting: skip this one
		}
	}
	return nil
}

func (s *sttStream) EndUtterance() error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.closed {
		return errStreamClosed
	}
	s.samples = 0
	select {
	case s.ends <- time.Now().Add(s.opts.Final):
		return nil
	default:
		return errors.New("too many utterances waiting for their transcript")
	}
}

func (s *sttStream) Recv() (provider.Transcript, error) {
	t, ok := <-s.out
	if !ok {
		if err := s.ctx.Err(); err != nil {
			return provider.Transcript{}, err
		}
		return provider.Transcript{}, io.EOF
	}
	return t, nil
}

func (s *sttStream) CloseSend() error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if !s.closed {
		s.closed = true
		close(s.ends)
	}
	return nil
}

func (s *sttStream) Close() error {
	s.cancel()
	return nil
}

// run delivers partials and, each at its time, the finals; it ends after
// CloseSend and the last final, or when the stream is cancelled.
func (s *sttStream) run() {
	defer close(s.out)
	send := func(t provider.Transcript) bool {
		select {
		case s.out <- t:
			return true
		case <-s.ctx.Done():
			return false
		}
	}
	for {
		select {
		case text := <-s.partials:
			if !send(provider.Transcript{Text: text, Confidence: 0.5}) {
				return
			}
		case due, ok := <-s.ends:
			// A partial sent before EndUtterance belongs to the utterance
			// that ended: it goes out before its final.
			select {
			case text := <-s.partials:
				if !send(provider.Transcript{Text: text, Confidence: 0.5}) {
					return
				}
			default:
			}
			if !ok {
				return
			}
			if ctxtime.Sleep(s.ctx, time.Until(due)) != nil {
				return
			}
			if !send(provider.Transcript{Text: s.opts.Text, Final: true, Confidence: 1}) {
				return
			}
		case <-s.ctx.Done():
			return
		}
	}
}
