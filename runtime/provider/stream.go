package provider

import (
	"context"
	"errors"
	"io"
	"sync"
)

// Stream is a sequence of values produced by a provider. Recv returns the
// next value, io.EOF after the last one, or the error that ended the
// stream (the context's error when it was cancelled). Close releases the
// stream and stops its producer; it is safe to call more than once and
// concurrently with Recv.
type Stream[T any] interface {
	Recv() (T, error)
	Close() error
}

// Produce runs produce in a goroutine and returns a Stream of what it sends.
// send blocks until the consumer takes the value and returns an error once
// the stream is closed or ctx is done, which produce should return. The
// error produce returns ends the stream (nil ends it with io.EOF). It is a
// convenience for plugin authors and fakes.
func Produce[T any](ctx context.Context, produce func(ctx context.Context, send func(T) error) error) Stream[T] {
	ctx, cancel := context.WithCancel(ctx)
	s := &chanStream[T]{values: make(chan T), done: make(chan struct{}), cancel: cancel}
	send := s.sender(ctx)
	go func() {
		defer close(s.done)
		err := contained("stream producer", func() error { return produce(ctx, send) })
		if err == nil {
			err = io.EOF
		}
		s.err = err
	}()
	return s
}

// sender returns the send function Produce hands its producer.
func (s *chanStream[T]) sender(ctx context.Context) func(T) error {
	return func(v T) error {
		// A select with both cases ready picks at random: check first,
		// so that nothing more is sent once ctx is done.
		if err := ctx.Err(); err != nil {
			return err
		}
		select {
		case s.values <- v:
			return nil
		case <-ctx.Done():
			return ctx.Err()
		}
	}
}

type chanStream[T any] struct {
	values    chan T
	done      chan struct{}
	err       error // set before done is closed
	cancel    context.CancelFunc
	closeOnce sync.Once
}

func (s *chanStream[T]) Recv() (T, error) {
	select {
	case v := <-s.values:
		return v, nil
	case <-s.done:
		var zero T
		return zero, s.err
	}
}

func (s *chanStream[T]) Close() error {
	s.closeOnce.Do(func() {
		s.cancel()
		<-s.done
	})
	return nil
}

// Collect reads a stream to its end and closes it.
func Collect[T any](s Stream[T]) ([]T, error) {
	defer func() { _ = s.Close() }()
	var out []T
	for {
		v, err := s.Recv()
		if errors.Is(err, io.EOF) {
			return out, nil
		}
		if err != nil {
			return out, err
		}
		out = append(out, v)
	}
}
