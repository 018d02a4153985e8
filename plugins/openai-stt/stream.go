package main

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"time"

	"github.com/parleyhq/parley/runtime/provider"
)

// maxPendingUtterances is how many ended utterances may wait for their
// transcription before EndUtterance blocks.
const maxPendingUtterances = 4

// StreamSTT implements provider.STT. Whisper is not a streaming
// recogniser, so the stream buffers each utterance until EndUtterance and
// then makes one request for it: there are no partial transcripts, and
// exactly one final per utterance, in order (an empty utterance gives an
// empty final without a request). An utterance longer than 5 minutes (or
// 25 MB as WAV) makes SendAudio fail. Cancelling ctx or Close aborts the
// request in flight.
func (s *stt) StreamSTT(ctx context.Context, cfg provider.STTConfig) (provider.STTStream, error) {
	o, err := s.parseOptions(cfg.Options, cfg.Language)
	if err != nil {
		return nil, fmt.Errorf("stream: %w", err)
	}
	if err := checkAudio(0, cfg.SampleRate); err != nil {
		return nil, fmt.Errorf("stream: %w", err)
	}
	ctx, cancel := context.WithCancel(ctx)
	st := &sttStream{
		ctx:        ctx,
		cancel:     cancel,
		jobs:       make(chan []int16, maxPendingUtterances),
		maxSamples: min(int(maxUtterance.Seconds())*cfg.SampleRate, (maxUploadBytes-wavHeaderSize)/2),
		rate:       cfg.SampleRate,
	}
	st.out = provider.Produce(ctx, func(ctx context.Context, send func(provider.Transcript) error) error {
		// Once transcription stops (done or failed), the send methods fail
		// instead of queueing audio nobody will transcribe.
		defer cancel()
		for {
			select {
			case pcm, ok := <-st.jobs:
				if !ok {
					return nil
				}
				t, err := s.transcribe(ctx, o, pcm, cfg.SampleRate)
				if err != nil {
					return err
				}
				if err := send(t); err != nil {
					return err
				}
			case <-ctx.Done():
				return ctx.Err()
			}
		}
	})
	return st, nil
}

// errClosed is returned by the send methods of a closed stream.
var errClosed = errors.New("stt stream is closed")

// sttStream buffers the current utterance; a goroutine (run by
// provider.Produce) transcribes ended utterances one at a time.
type sttStream struct {
	ctx        context.Context
	cancel     context.CancelFunc
	jobs       chan []int16 // ended utterances; closed by CloseSend
	out        provider.Stream[provider.Transcript]
	maxSamples int
	rate       int

	mu         sync.Mutex
	buf        []int16
	sendClosed bool
}

// SendAudio implements provider.STTStream.
func (s *sttStream) SendAudio(pcm []int16) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if err := s.sendable(); err != nil {
		return err
	}
	if len(s.buf)+len(pcm) > s.maxSamples {
		return fmt.Errorf("%w: utterance longer than %s: end it sooner", provider.ErrInvalidInput,
			time.Duration(s.maxSamples)*time.Second/time.Duration(s.rate))
	}
	s.buf = append(s.buf, pcm...)
	return nil
}

// EndUtterance implements provider.STTStream. It queues the utterance and
// returns; it blocks only while several earlier ones still wait.
func (s *sttStream) EndUtterance() error {
	s.mu.Lock()
	if err := s.sendable(); err != nil {
		s.mu.Unlock()
		return err
	}
	pcm := s.buf
	s.buf = nil
	s.mu.Unlock()
	select {
	case s.jobs <- pcm:
		return nil
	case <-s.ctx.Done():
		return errClosed
	}
}

// CloseSend implements provider.STTStream: queued utterances are still
// transcribed, then Recv returns io.EOF. Audio after the last EndUtterance
// is dropped.
func (s *sttStream) CloseSend() error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.sendClosed {
		return nil
	}
	s.sendClosed = true
	s.buf = nil
	close(s.jobs)
	return nil
}

// sendable reports why no more audio may be sent; called with mu held.
func (s *sttStream) sendable() error {
	if s.sendClosed || s.ctx.Err() != nil {
		return errClosed
	}
	return nil
}

// Recv implements provider.STTStream.
func (s *sttStream) Recv() (provider.Transcript, error) { return s.out.Recv() }

// Close implements provider.STTStream: it aborts a request in flight and
// waits for the transcribing goroutine to end.
func (s *sttStream) Close() error {
	s.cancel()
	return s.out.Close()
}
