package vad

import (
	"errors"
	"fmt"
	"runtime"
	"sync"
	"sync/atomic"
	"syscall"
	"time"

	ort "github.com/yalue/onnxruntime_go"
)

// Batching. Silero is a small network: one window alone costs about
// 240 µs on this project's 2-core machine when run back to back, and
// 650-750 µs when a call's windows come every 32 ms (its weights are out
// of the caches by then); about half of a hot run is fixed cost. Scored
// together, 100 calls' windows cost about 120 µs each
// (BenchmarkSileroCalls). So every stream of a model hands its windows to
// one goroutine, which scores whatever is waiting in one run.
const (
	// maxBatch bounds the windows of one run (the batch tensors are
	// allocated for it once).
	maxBatch = 128
	// maxGather is how long the batcher waits for more windows after the
	// first, when more than one stream is open and windows arrive fast
	// enough (gatherMin expected in maxGather); it stops waiting when
	// every open stream has a window queued. A window's probability is
	// then at most this much later; turn ends do not wait for it (they are
	// deadlines computed from windows scored long before).
	maxGather = 4 * time.Millisecond
	gatherMin = 4
	// batcherNice is the scheduling priority of the batcher's thread: a
	// window may wait a few milliseconds, the calls' 20 ms audio frames on
	// the other threads may not.
	batcherNice = 5
)

// batcher scores the windows of all streams of a model in batches, on one
// goroutine locked to an OS thread of lower priority.
type batcher struct {
	session *ort.DynamicAdvancedSession
	sr      *ort.Scalar[int64]

	mu     sync.Mutex
	queue  []*sileroStream
	open   int // streams open: a batch is full when all of them are in it
	closed bool
	wake   chan struct{} // a window was queued on an empty queue, or the queue is full
	stop   chan struct{}
	done   chan struct{}

	runs, scored atomic.Int64 // batches run and windows scored, for tests

	// Owned by the run goroutine.
	in, state, out, stateN []float32       // the batch, for maxBatch rows
	shapes                 []*batchShape   // by batch size, made on first use
	rate                   float64         // windows per second, smoothed
	last                   time.Time       // when the previous batch was taken
	batch                  []*sileroStream // the batch being scored
}

// batchShape is the tensors of one batch size over the batcher's arrays,
// bound to the session once.
type batchShape struct {
	tensors []*ort.Tensor[float32]
	binding *ort.IoBinding
}

func newBatcher(session *ort.DynamicAdvancedSession, sr *ort.Scalar[int64]) *batcher {
	b := &batcher{
		session: session,
		sr:      sr,
		wake:    make(chan struct{}, 1),
		stop:    make(chan struct{}),
		done:    make(chan struct{}),
		in:      make([]float32, maxBatch*(contextSamples+WindowSamples)),
		state:   make([]float32, maxBatch*stateSize),
		out:     make([]float32, maxBatch),
		stateN:  make([]float32, maxBatch*stateSize),
		shapes:  make([]*batchShape, maxBatch+1),
		batch:   make([]*sileroStream, 0, maxBatch),
	}
	go b.run()
	return b
}

// score queues s's window (s.buf, s.state) and waits until it is scored
// into s.prob and s.state, or the batcher closes.
func (b *batcher) score(s *sileroStream) error {
	b.mu.Lock()
	if b.closed {
		b.mu.Unlock()
		return ErrClosed
	}
	b.queue = append(b.queue, s)
	n, full := len(b.queue), b.fullLocked()
	b.mu.Unlock()
	if n == 1 || full {
		select {
		case b.wake <- struct{}{}:
		default:
		}
	}
	return <-s.done
}

// close stops the batcher: windows queued and not yet taken get
// ErrClosed, a batch being scored finishes. It returns once the batcher
// has stopped and frees the batch tensors.
func (b *batcher) close() error {
	b.mu.Lock()
	if b.closed {
		b.mu.Unlock()
		return nil
	}
	b.closed = true
	b.mu.Unlock()
	close(b.stop)
	<-b.done
	var errs []error
	for _, sh := range b.shapes {
		if sh != nil {
			errs = append(errs, sh.destroy())
		}
	}
	return errors.Join(errs...)
}

func (b *batcher) run() {
	defer close(b.done)
	// The thread is never unlocked: it exits with the goroutine, and its
	// priority with it.
	runtime.LockOSThread()
	// Best effort: without the permission the batcher runs at the
	// process's priority.
	_ = syscall.Setpriority(syscall.PRIO_PROCESS, syscall.Gettid(), batcherNice)
	timer := time.NewTimer(time.Hour)
	timer.Stop()
	for {
		select {
		case <-b.stop:
			b.failQueued()
			return
		case <-b.wake:
		}
		// Wait for more windows only when they come fast enough to be
		// worth it: a lone call's window is scored at once.
		if b.rate*maxGather.Seconds() >= gatherMin && b.streams() > 1 {
			b.gather(timer)
		}
		if b.take() == 0 {
			continue
		}
		err := b.scoreBatch()
		for _, s := range b.batch {
			s.done <- err
		}
		clear(b.batch)
	}
}

// fullLocked reports whether the queue holds a whole batch: maxBatch
// windows, or one of every open stream.
func (b *batcher) fullLocked() bool { return len(b.queue) >= min(maxBatch, max(b.open, 1)) }

// streams returns the number of open streams.
func (b *batcher) streams() int {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.open
}

// opened counts a new stream, or fails with ErrClosed after close;
// closedStream counts one closed.
func (b *batcher) opened() error {
	b.mu.Lock()
	defer b.mu.Unlock()
	if b.closed {
		return ErrClosed
	}
	b.open++
	return nil
}

func (b *batcher) closedStream() {
	b.mu.Lock()
	b.open--
	b.mu.Unlock()
}

// gather waits up to maxGather for more windows, or until the batch is
// full.
func (b *batcher) gather(timer *time.Timer) {
	timer.Reset(maxGather)
	defer timer.Stop()
	for {
		select {
		case <-timer.C:
			return
		case <-b.stop:
			return
		case <-b.wake:
			b.mu.Lock()
			full := b.fullLocked()
			b.mu.Unlock()
			if full {
				return
			}
		}
	}
}

// take moves up to maxBatch queued windows into b.batch and updates the
// arrival rate. Windows left over wake the next round.
func (b *batcher) take() int {
	b.mu.Lock()
	n := min(len(b.queue), maxBatch)
	b.batch = append(b.batch[:0], b.queue[:n]...)
	rest := copy(b.queue, b.queue[n:])
	clear(b.queue[rest:])
	b.queue = b.queue[:rest]
	b.mu.Unlock()
	if rest > 0 {
		select {
		case b.wake <- struct{}{}:
		default:
		}
	}
	now := time.Now()
	if !b.last.IsZero() && n > 0 {
		dt := max(now.Sub(b.last).Seconds(), 1e-4)
		b.rate += 0.2 * (float64(n)/dt - b.rate)
	}
	if n > 0 {
		b.last = now
	}
	return n
}

// failQueued answers every queued window with ErrClosed.
func (b *batcher) failQueued() {
	b.mu.Lock()
	q := b.queue
	b.queue = nil
	b.mu.Unlock()
	for _, s := range q {
		s.done <- ErrClosed
	}
}

// scoreBatch runs the network on b.batch: each stream's window and state
// go into its row, its probability and next state come back from it. The
// state tensor is [2, B, 128]: row i of layer l starts at (l*B+i)*128.
func (b *batcher) scoreBatch() error {
	n := len(b.batch)
	sh, err := b.shape(n)
	if err != nil {
		return err
	}
	const row, half = contextSamples + WindowSamples, stateSize / 2
	for i, s := range b.batch {
		copy(b.in[i*row:(i+1)*row], s.buf)
		copy(b.state[i*half:(i+1)*half], s.state[:half])
		copy(b.state[(n+i)*half:(n+i+1)*half], s.state[half:])
	}
	if err := b.session.RunWithBinding(sh.binding); err != nil {
		return fmt.Errorf("silero batch of %d: %w", n, err)
	}
	b.runs.Add(1)
	b.scored.Add(int64(n))
	for i, s := range b.batch {
		s.prob = b.out[i]
		copy(s.state[:half], b.stateN[i*half:(i+1)*half])
		copy(s.state[half:], b.stateN[(n+i)*half:(n+i+1)*half])
	}
	return nil
}

// shape returns the bound tensors of batch size n, making them the first
// time.
func (b *batcher) shape(n int) (*batchShape, error) {
	if sh := b.shapes[n]; sh != nil {
		return sh, nil
	}
	sh, err := newBatchShape(b, int64(n))
	if err != nil {
		return nil, fmt.Errorf("silero batch of %d: %w", n, err)
	}
	b.shapes[n] = sh
	return sh, nil
}

func newBatchShape(b *batcher, n int64) (sh *batchShape, err error) {
	sh = &batchShape{}
	defer func() {
		if err != nil {
			err = errors.Join(err, sh.destroy())
		}
	}()
	for _, t := range []struct {
		data  []float32
		shape ort.Shape
	}{
		{b.in, ort.NewShape(n, contextSamples+WindowSamples)},
		{b.state, ort.NewShape(2, n, stateSize/2)},
		{b.out, ort.NewShape(n, 1)},
		{b.stateN, ort.NewShape(2, n, stateSize/2)},
	} {
		tensor, err := ort.NewTensor(t.shape, t.data)
		if err != nil {
			return sh, err
		}
		sh.tensors = append(sh.tensors, tensor)
	}
	if sh.binding, err = b.session.CreateIoBinding(); err != nil {
		return sh, err
	}
	return sh, errors.Join(
		sh.binding.BindInput("input", sh.tensors[0]),
		sh.binding.BindInput("state", sh.tensors[1]),
		sh.binding.BindInput("sr", b.sr),
		sh.binding.BindOutput("output", sh.tensors[2]),
		sh.binding.BindOutput("stateN", sh.tensors[3]),
	)
}

func (sh *batchShape) destroy() error {
	var errs []error
	if sh.binding != nil {
		errs = append(errs, sh.binding.Destroy())
	}
	for _, t := range sh.tensors {
		errs = append(errs, t.Destroy())
	}
	return errors.Join(errs...)
}
