package media

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"sync/atomic"
	"time"

	"github.com/parleyhq/parley/runtime/audio"
	"github.com/parleyhq/parley/runtime/fault"
	"github.com/parleyhq/parley/runtime/pcm"
)

// maxBurst is how many frames one tick may write to catch up after a
// stall (a slow writer, a descheduled process). Older debt is dropped so
// the far end never receives a long burst.
const maxBurst = 3

// FrameWriter sends one 20 ms frame of the agent's voice at the writer's
// sample rate.
type FrameWriter interface {
	// WriteFrame sends frame (rate/50 samples, reused after the call).
	// silent is true when nothing is queued and frame is all zeros: a
	// WebRTC writer still sends a packet to keep RTP timing continuous, an
	// audio-data writer may skip it. An error wrapping ErrNotReady keeps
	// the frame queued for the next tick; any other error drops it. It is
	// called from the Player's goroutine only, and must not call
	// Player.Close.
	WriteFrame(frame []int16, silent bool) error
}

// Player queues speech and hands it to a FrameWriter in 20 ms frames in
// real time, from one goroutine driven by a time.Ticker. Frames are due
// at fixed times from the start, so the average rate does not drift; after
// a stall at most maxBurst frames are written at once and older debt is
// dropped.
//
// Between the queue and the writer the speech can be shaped for a caller's
// backchannel ("uh-huh" while the agent talks): Pause sends silence from the
// next frame on and Resume continues from the same sample (with 5 ms fades
// at both edges), and SetGain ducks the speech with a ramp over one frame.
// Flush (barge-in) drops the queue and undoes both. The shaping allocates
// nothing per frame and works on the pacing goroutine's frame.
//
// A Player is safe for concurrent use.
type Player struct {
	rate     int
	frameLen int
	w        FrameWriter

	// encMu serialises resampling (Enqueue, Flush and the tail flush of
	// the pacing goroutine, which only tries it).
	encMu sync.Mutex
	rs    map[int]*audio.Resampler
	cur   *audio.Resampler // resampler of the current input stream
	out   []int16          // resampler output scratch

	mu     sync.Mutex
	q      []int16 // queued samples at rate, from head
	head   int
	held   bool  // cur may hold samples back (not flushed yet)
	gen    int64 // bumped by Flush, so an in-flight frame is not dequeued twice
	played int64 // speech samples written
	mark   func(time.Time)
	idle   chan struct{}
	closed bool

	// Output shaping (player_shape.go).
	paused  bool    // Pause: send silence, keep the queue
	audible bool    // the last frame written ended in speech: a pause fades it out
	fadeIn  bool    // the last speech frame faded out for a pause: fade the next in
	fadeLen int     // samples of a fade ramp
	gainDB  float64 // SetGain's gain in dB
	gain    float32 // the same, linear: the target of the ramp
	gainNow float32 // linear gain at the end of the last speech frame

	// Owned by the pacing goroutine.
	frame []int16
	start time.Time
	sent  int64

	stop      chan struct{}
	done      chan struct{}
	kick      chan struct{} // speech queued on an idle Player: send it now
	running   bool          // a pacing goroutine was started (set before it starts)
	closeOnce sync.Once
	onFault   atomic.Pointer[fault.Handler]
}

// NewPlayer returns a Player that writes frames of rate/50 samples to w and
// starts pacing at once. rate is the writer's sample rate (48000 for Opus,
// 8000 for PCMU, 16000 for an audio-data transport); it must be positive
// and a multiple of 50, or the error wraps ErrInvalidRate. Call Close to
// stop it.
func NewPlayer(rate int, w FrameWriter) (*Player, error) {
	p, err := newPlayer(rate, w)
	if err != nil {
		return nil, err
	}
	p.running = true
	go p.run(time.Now())
	return p, nil
}

// newPlayer returns a Player that is not pacing yet: tests drive step with
// their own clock.
func newPlayer(rate int, w FrameWriter) (*Player, error) {
	if rate <= 0 || rate%framesPerSec != 0 {
		return nil, fmt.Errorf("player at %d Hz: %w", rate, ErrInvalidRate)
	}
	idle := make(chan struct{})
	close(idle)
	return &Player{
		rate:     rate,
		frameLen: rate / framesPerSec,
		w:        w,
		rs:       make(map[int]*audio.Resampler),
		idle:     idle,
		fadeLen:  max(1, rate*fadeMillis/1000),
		gain:     1,
		gainNow:  1,
		frame:    make([]int16, rate/framesPerSec),
		stop:     make(chan struct{}),
		done:     make(chan struct{}),
		kick:     make(chan struct{}, 1),
	}, nil
}

// OnFault sets who is told of a panic contained in the pacing goroutine
// (which then stops: the agent falls silent). nil tells nobody.
func (p *Player) OnFault(h fault.Handler) { p.onFault.Store(&h) }

func (p *Player) fault(pn *fault.Panic) {
	if h := p.onFault.Load(); h != nil && *h != nil {
		(*h)(pn)
	}
}

// String describes the stage, for example "player 48000 Hz".
func (p *Player) String() string {
	return fmt.Sprintf("player %d Hz", p.rate)
}

// Enqueue appends chunk to the queue and returns at once. chunk may have
// any rate: it is resampled to the Player's rate by a streaming resampler
// per input rate, so consecutive chunks of one stream join without clicks.
// The Player keeps no reference to chunk.Samples. It fails after Close and for a
// non-positive rate.
func (p *Player) Enqueue(chunk pcm.Audio) error {
	if chunk.Rate <= 0 {
		return fmt.Errorf("enqueue at %d Hz: %w", chunk.Rate, ErrInvalidRate)
	}
	p.encMu.Lock()
	defer p.encMu.Unlock()
	if p.isClosed() {
		return fmt.Errorf("enqueue: player %w", ErrClosed)
	}
	r := p.rs[chunk.Rate]
	if r == nil {
		var err error
		if r, err = audio.NewResampler(chunk.Rate, p.rate); err != nil {
			return fmt.Errorf("enqueue: %w", err)
		}
		p.rs[chunk.Rate] = r
	}
	out := p.out[:0]
	if p.cur != nil && p.cur != r {
		// A new input rate starts a new stream: the old one's tail plays first.
		out = p.cur.Flush(out)
	}
	p.cur = r
	out = r.Process(chunk.Samples, out)
	p.out = out[:0]

	p.mu.Lock()
	defer p.mu.Unlock()
	wasIdle := len(p.q) == p.head && !p.held
	p.q = append(p.q, out...)
	if wasIdle && !p.paused && len(p.q)-p.head >= p.frameLen {
		// Start speaking now rather than at the next tick (up to 20 ms
		// later): the pacing restarts from this frame.
		select {
		case p.kick <- struct{}{}:
		default:
		}
	}
	// Held-back samples only exist when the rates differ.
	p.held = chunk.Rate != p.rate
	if len(p.q) > p.head || p.held {
		p.setBusyLocked()
	}
	return nil
}

// Flush drops everything queued and not yet written (barge-in) and
// returns the dropped duration. A frame being written at that moment
// still plays. Waiters on Idle are released. It also clears a Pause and
// resets the gain to 0 dB, so the next reply plays at once and in full.
func (p *Player) Flush() time.Duration {
	p.encMu.Lock()
	defer p.encMu.Unlock()
	for _, r := range p.rs {
		r.Reset()
	}
	p.cur = nil
	p.mu.Lock()
	defer p.mu.Unlock()
	dropped := len(p.q) - p.head
	p.q, p.head = p.q[:0], 0
	p.held = false
	p.mark = nil
	p.gen++
	p.paused, p.fadeIn = false, false
	p.gainDB, p.gain, p.gainNow = 0, 1, 1
	p.setIdleLocked()
	return p.samplesToDuration(int64(dropped))
}

// Mark arranges for fn to be called, from the pacing goroutine, when the
// next speech frame has been written: the first frame of what is queued
// now or enqueued next. It replaces an earlier mark; Flush and Close drop
// it. fn must return quickly and must not call Close.
func (p *Player) Mark(fn func(at time.Time)) {
	p.mu.Lock()
	p.mark = fn
	p.mu.Unlock()
}

// Queued returns the duration of audio queued and not yet written (not
// counting the few milliseconds a resampler holds back).
func (p *Player) Queued() time.Duration {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.samplesToDuration(int64(len(p.q) - p.head))
}

// Played returns the total duration of speech written so far; silence
// frames and frames the writer failed to send do not count. It stands
// still while the Player is paused; the 5 ms faded out before a pause
// count once, when they are played again after Resume.
func (p *Player) Played() time.Duration {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.samplesToDuration(p.played)
}

// Idle returns a channel that is closed once the Player has nothing left
// to write: at once when it is idle now, otherwise after the last queued
// sample is written, or on Flush or Close. Each Enqueue onto an idle
// Player starts a new busy period with a new channel, so call Idle again
// after enqueueing more.
func (p *Player) Idle() <-chan struct{} {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.idle
}

// WaitIdle blocks until the Player is idle (see Idle) or ctx is done, and
// returns ctx's error in the latter case.
func (p *Player) WaitIdle(ctx context.Context) error {
	select {
	case <-p.Idle():
		return nil
	case <-ctx.Done():
		return fmt.Errorf("wait for player idle: %w", ctx.Err())
	}
}

// Close stops the pacing goroutine and waits for it, drops the queue and
// releases Idle waiters. It is safe to call more than once, but not from
// the FrameWriter.
func (p *Player) Close() {
	p.closeOnce.Do(func() {
		p.mu.Lock()
		p.closed = true
		p.mark = nil
		p.q, p.head = nil, 0
		p.held = false
		p.setIdleLocked()
		p.mu.Unlock()
		close(p.stop)
	})
	if p.running {
		<-p.done
	}
}

// run paces frames until Close.
func (p *Player) run(start time.Time) {
	defer close(p.done)
	defer fault.Recover(component, p.fault)
	t := time.NewTicker(frameDuration)
	defer t.Stop()
	p.start = start
	p.step(start)
	for {
		select {
		case <-p.stop:
			return
		case now := <-t.C:
			p.step(now)
		case <-p.kick:
			// Frame n of the new utterance is due at now + n*20ms. The
			// caller's jitter buffer takes a packet that comes early.
			now := time.Now()
			p.start, p.sent = now, 0
			t.Reset(frameDuration)
			p.step(now)
		}
	}
}

// step writes the frames due at now: frame n is due at start + n*20ms.
func (p *Player) step(now time.Time) {
	due := int64(now.Sub(p.start)/frameDuration) + 1
	if due-p.sent > maxBurst {
		p.sent = due - maxBurst
	}
	for ; p.sent < due; p.sent++ {
		if p.isClosed() {
			return
		}
		p.writeOne()
	}
}

// writeOne writes the next frame, or a silent one when nothing is queued
// or the Player is paused.
func (p *Player) writeOne() {
	p.flushTail()
	p.mu.Lock()
	n := min(p.frameLen, len(p.q)-p.head)
	speech := n == p.frameLen || (n > 0 && !p.held)
	if p.paused && !p.audible {
		speech = false // paused and faded out: silence until Resume
	}
	var shape frameShape
	if speech {
		copy(p.frame, p.q[p.head:p.head+n])
		clear(p.frame[n:])
		shape = p.shapeLocked(n)
	} else {
		// Nothing queued, paused, or a partial frame whose rest is still
		// inside a resampler that an Enqueue is using: send silence, keep
		// the queue.
		clear(p.frame)
		p.audible = false
		p.gainNow = p.gain // no ramp needed over silence
		if len(p.q) == p.head && !p.held {
			p.setIdleLocked() // the tail flush may have produced nothing
		}
	}
	gen := p.gen
	p.mu.Unlock()

	err := p.w.WriteFrame(p.frame, !speech)
	if !speech || errors.Is(err, ErrNotReady) {
		return
	}

	p.mu.Lock()
	flushed := gen != p.gen || p.closed
	if !flushed {
		p.head += shape.consume
		p.compactLocked()
	}
	p.shapedLocked(shape, flushed)
	var mark func(time.Time)
	if err == nil {
		p.played += int64(shape.consume)
		mark, p.mark = p.mark, nil
	}
	if len(p.q) == p.head && !p.held {
		p.setIdleLocked()
	}
	p.mu.Unlock()
	if mark != nil {
		mark(time.Now())
	}
}

// flushTail moves the samples a resampler holds back into the queue once
// the queue runs short, so the end of an utterance is played. It gives up
// when an Enqueue is busy: more audio is on its way then.
func (p *Player) flushTail() {
	p.mu.Lock()
	need := p.held && len(p.q)-p.head < p.frameLen
	p.mu.Unlock()
	if !need || !p.encMu.TryLock() {
		return
	}
	defer p.encMu.Unlock()
	if p.cur == nil {
		return
	}
	out := p.cur.Flush(p.out[:0])
	p.out = out[:0]
	p.mu.Lock()
	defer p.mu.Unlock()
	if !p.closed {
		p.q = append(p.q, out...)
	}
	p.held = false
}

func (p *Player) compactLocked() {
	switch {
	case p.head == len(p.q):
		p.q, p.head = p.q[:0], 0
	case p.head >= 4*p.frameLen && 2*p.head >= len(p.q):
		k := copy(p.q, p.q[p.head:])
		p.q, p.head = p.q[:k], 0
	}
}

func (p *Player) setIdleLocked() {
	select {
	case <-p.idle:
	default:
		close(p.idle)
	}
}

func (p *Player) setBusyLocked() {
	select {
	case <-p.idle:
		p.idle = make(chan struct{})
	default:
	}
}

func (p *Player) isClosed() bool {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.closed
}

func (p *Player) samplesToDuration(n int64) time.Duration {
	return time.Duration(n) * time.Second / time.Duration(p.rate)
}
