package main

import (
	"context"
	"fmt"
	"io"
	"sync"

	"github.com/parleyhq/parley/plugins/internal/sphinx"
	"github.com/parleyhq/parley/runtime/provider"
)

// partialEvery is how much audio passes between two looks at the partial
// hypothesis (200 ms): often enough for live captions, rarely enough to
// cost nothing. It counts audio, not wall time, so results do not depend
// on how fast frames arrive.
const partialEvery = sphinx.SampleRate / 5

// outBuffer is how many transcripts wait for Recv. Partials that do not
// fit are dropped (a later one supersedes them); finals wait.
const outBuffer = 16

// stream is one live recognition on a decoder of its own.
//
// Locks: sendMu serialises the send side (SendAudio, EndUtterance,
// CloseSend), including a final waiting for Recv; decMu guards the
// decoder, which Close takes away from under a running send.
type stream struct {
	release func(*sphinx.Decoder) // gives the decoder back to the pool

	sendMu   sync.Mutex
	sendDone bool // CloseSend was called: out is closed

	decMu       sync.Mutex
	dec         *sphinx.Decoder // nil after Close
	sinceLook   int             // samples since the last look at the partial
	lastPartial string

	out    chan provider.Transcript
	closed chan struct{} // closed by Close or by the context
	once   sync.Once
	err    error       // why the stream ended; set before closed is closed
	stop   func() bool // unhooks the context
}

var _ provider.STTStream = (*stream)(nil)

// newStream starts a stream on d; cancelling ctx closes it.
func newStream(ctx context.Context, d *sphinx.Decoder, release func(*sphinx.Decoder)) *stream {
	s := &stream{
		release: release,
		dec:     d,
		out:     make(chan provider.Transcript, outBuffer),
		closed:  make(chan struct{}),
	}
	s.stop = context.AfterFunc(ctx, func() { s.end(ctx.Err()) })
	return s
}

// SendAudio decodes the frame at once (pocketsphinx copies it) and
// emits a partial transcript when the hypothesis has changed.
func (s *stream) SendAudio(pcm []int16) error {
	s.sendMu.Lock()
	defer s.sendMu.Unlock()
	if s.sendDone {
		return errSendClosed
	}
	s.decMu.Lock()
	defer s.decMu.Unlock()
	if s.dec == nil || s.ended() {
		return s.err
	}
	if err := s.dec.Process(pcm); err != nil {
		return fmt.Errorf("send audio: %w", err)
	}
	s.sinceLook += len(pcm)
	if s.sinceLook < partialEvery {
		return nil
	}
	s.sinceLook = 0
	if hyp := s.dec.Hyp(); hyp != "" && hyp != s.lastPartial {
		s.lastPartial = hyp
		select {
		case s.out <- provider.Transcript{Text: hyp, Language: language}:
		default:
		}
	}
	return nil
}

// EndUtterance ends the utterance and emits its final transcript (empty
// text when nothing was heard); the next frame starts a new utterance. It
// waits until Recv has room for the final, or the stream is closed.
func (s *stream) EndUtterance() error {
	s.sendMu.Lock()
	defer s.sendMu.Unlock()
	if s.sendDone {
		return errSendClosed
	}
	s.decMu.Lock()
	if s.dec == nil || s.ended() {
		s.decMu.Unlock()
		return s.err
	}
	res, err := s.dec.End()
	s.sinceLook, s.lastPartial = 0, ""
	s.decMu.Unlock()
	if err != nil {
		return fmt.Errorf("end utterance: %w", err)
	}
	select {
	case s.out <- provider.Transcript{Text: res.Text, Final: true, Confidence: res.Confidence, Language: language}:
		return nil
	case <-s.closed:
		return s.err
	}
}

// CloseSend says no more audio comes: Recv drains what is queued, then
// returns io.EOF. Audio sent after the last EndUtterance gets no final.
func (s *stream) CloseSend() error {
	s.sendMu.Lock()
	defer s.sendMu.Unlock()
	if !s.sendDone {
		s.sendDone = true
		close(s.out)
	}
	return nil
}

// Recv returns the next transcript, io.EOF after CloseSend once all are
// read, or why the stream ended (errClosed, the context's error).
func (s *stream) Recv() (provider.Transcript, error) {
	select {
	case <-s.closed:
		return provider.Transcript{}, s.err
	default:
	}
	select {
	case t, ok := <-s.out:
		if !ok {
			return provider.Transcript{}, io.EOF
		}
		return t, nil
	case <-s.closed:
		return provider.Transcript{}, s.err
	}
}

// Close ends the stream at once and gives its decoder back to the pool.
// It is safe to call more than once and concurrently with the other
// methods, which return errClosed afterwards.
func (s *stream) Close() error {
	s.end(errClosed)
	s.stop()
	return nil
}

// ended reports whether the stream has ended. end closes s.closed before
// it takes the decoder away, so a send that wins the decoder's lock in
// between must look here, or it would decode for a stream already ended.
func (s *stream) ended() bool {
	select {
	case <-s.closed:
		return true
	default:
		return false
	}
}

// end closes the stream for the reason err, once.
func (s *stream) end(err error) {
	s.once.Do(func() {
		s.err = err
		close(s.closed)
		s.decMu.Lock()
		d := s.dec
		s.dec = nil
		s.decMu.Unlock()
		if d != nil {
			s.release(d)
		}
	})
}
