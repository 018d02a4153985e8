package media

import (
	"context"
	"errors"
	"sync"
	"testing"
	"time"

	"github.com/parleyhq/parley/runtime/audio"
	"github.com/parleyhq/parley/runtime/pcm"
	"github.com/stretchr/testify/require"
)

// fakeWriter records frames; notReady makes it refuse with ErrNotReady.
type fakeWriter struct {
	mu       sync.Mutex
	speech   []int16
	frames   int
	silent   int
	times    []time.Time
	notReady bool
	fail     error
}

func (w *fakeWriter) WriteFrame(frame []int16, silent bool) error {
	w.mu.Lock()
	defer w.mu.Unlock()
	if w.notReady {
		return ErrNotReady
	}
	if w.fail != nil {
		return w.fail
	}
	w.frames++
	w.times = append(w.times, time.Now())
	if silent {
		w.silent++
		for _, s := range frame {
			if s != 0 {
				panic("silent frame with samples")
			}
		}
		return nil
	}
	w.speech = append(w.speech, frame...)
	return nil
}

func (w *fakeWriter) counts() (frames, silent, speechSamples int) {
	w.mu.Lock()
	defer w.mu.Unlock()
	return w.frames, w.silent, len(w.speech)
}

// clockPlayer is a Player driven by a fake clock instead of a ticker.
type clockPlayer struct {
	*Player
	now time.Time
}

func newClockPlayer(t *testing.T, rate int, w FrameWriter) *clockPlayer {
	t.Helper()
	p, err := newPlayer(rate, w)
	require.NoError(t, err)
	t0 := time.Unix(1000, 0)
	p.start = t0
	p.step(t0)
	t.Cleanup(p.Close)
	return &clockPlayer{Player: p, now: t0}
}

// advance moves the fake clock by d in 20 ms ticks, stepping the Player
// at each tick.
func (c *clockPlayer) advance(d time.Duration) {
	for end := c.now.Add(d); c.now.Before(end); {
		c.now = c.now.Add(frameDuration)
		c.step(c.now)
	}
}

func TestPlayerPacingFakeClock(t *testing.T) {
	w := &fakeWriter{}
	p := newClockPlayer(t, 48000, w)
	p.advance(980 * time.Millisecond)
	frames, silent, _ := w.counts()
	require.Equal(t, 50, frames, "one frame per 20 ms, the first at start")
	require.Equal(t, 50, silent, "nothing queued: all silent")

	// A 200 ms stall (ticks lost) is caught up by at most maxBurst frames.
	p.now = p.now.Add(200 * time.Millisecond)
	p.step(p.now)
	frames, _, _ = w.counts()
	require.Equal(t, 50+maxBurst, frames)
	// Afterwards pacing continues at one frame per tick.
	p.advance(200 * time.Millisecond)
	frames, _, _ = w.counts()
	require.Equal(t, 50+maxBurst+10, frames)
}

func TestPlayerResamplesAndPlays(t *testing.T) {
	w := &fakeWriter{}
	p := newClockPlayer(t, 48000, w)
	require.NoError(t, p.Enqueue(pcm.Audio{Samples: tone(440, 22050, time.Second, 8000), Rate: 22050}))
	select {
	case <-p.Idle():
		t.Fatal("idle with a second queued")
	default:
	}
	require.InDelta(t, float64(time.Second), float64(p.Queued()), float64(10*time.Millisecond))

	p.advance(1200 * time.Millisecond)
	select {
	case <-p.Idle():
	default:
		t.Fatal("not idle after the queue drained")
	}
	_, _, n := w.counts()
	require.Equal(t, 48000, n, "1 s at 22050 Hz is 48000 samples at 48 kHz, tail flushed")
	require.Equal(t, time.Second, p.Played())
	require.Zero(t, p.Queued())
	w.mu.Lock()
	speech := w.speech
	w.mu.Unlock()
	require.Greater(t, goertzel(speech, 48000, 440), 100*goertzel(speech, 48000, 1000))
	require.InDelta(t, 8000/1.4142, rms(speech[4800:43200]), 200)
}

func TestPlayerChunkedStreamHasNoGaps(t *testing.T) {
	w := &fakeWriter{}
	p := newClockPlayer(t, 48000, w)
	src := tone(440, 16000, 500*time.Millisecond, 8000)
	for i := 0; i < len(src); i += 333 { // chunks that do not align with frames
		require.NoError(t, p.Enqueue(pcm.Audio{Samples: src[i:min(i+333, len(src))], Rate: 16000}))
	}
	p.advance(time.Second)
	_, _, n := w.counts()
	require.Equal(t, 24000, n)
	w.mu.Lock()
	defer w.mu.Unlock()
	// No sample inside the tone dropped to silence at a chunk boundary.
	_, loud := loudFrames(w.speech[:23040], 960, 4000)
	require.Len(t, loud, 23040)
}

func TestPlayerFlush(t *testing.T) {
	w := &fakeWriter{}
	p := newClockPlayer(t, 48000, w)
	require.NoError(t, p.Enqueue(pcm.Audio{Samples: tone(300, 48000, 2*time.Second, 8000), Rate: 48000}))
	p.advance(200 * time.Millisecond) // the frame at start was silent: 10 speech frames
	played := p.Played()
	require.Equal(t, 200*time.Millisecond, played)

	dropped := p.Flush()
	require.Equal(t, 1800*time.Millisecond, dropped)
	require.Zero(t, p.Queued())
	select {
	case <-p.Idle():
	default:
		t.Fatal("not idle after Flush")
	}
	p.advance(500 * time.Millisecond)
	require.Equal(t, played, p.Played(), "nothing plays after Flush")

	// The Player keeps working after a Flush.
	require.NoError(t, p.Enqueue(pcm.Audio{Samples: tone(300, 16000, 100*time.Millisecond, 8000), Rate: 16000}))
	p.advance(200 * time.Millisecond)
	require.Equal(t, played+100*time.Millisecond, p.Played())
}

func TestPlayerIdleAfterEmptyEnqueue(t *testing.T) {
	p := newClockPlayer(t, 48000, &fakeWriter{})
	require.NoError(t, p.Enqueue(pcm.Audio{Samples: nil, Rate: 22050}))
	p.advance(60 * time.Millisecond)
	select {
	case <-p.Idle():
	default:
		t.Fatal("not idle after an empty enqueue")
	}
	require.Zero(t, p.Played())
}

func TestPlayerHoldsWhileWriterNotReady(t *testing.T) {
	w := &fakeWriter{notReady: true}
	p := newClockPlayer(t, 8000, w)
	require.NoError(t, p.Enqueue(pcm.Audio{Samples: tone(440, 8000, 300*time.Millisecond, 8000), Rate: 8000}))
	p.advance(time.Second)
	require.Zero(t, p.Played())
	require.Equal(t, 300*time.Millisecond, p.Queued())

	w.mu.Lock()
	w.notReady = false
	w.mu.Unlock()
	p.advance(time.Second)
	require.Equal(t, 300*time.Millisecond, p.Played())
	_, _, n := w.counts()
	require.Equal(t, 2400, n)
}

func TestPlayerDropsFramesTheWriterFails(t *testing.T) {
	w := &fakeWriter{fail: errors.New("boom")}
	p := newClockPlayer(t, 16000, w)
	require.NoError(t, p.Enqueue(pcm.Audio{Samples: make([]int16, 16000), Rate: 16000}))
	p.advance(500 * time.Millisecond)
	require.Zero(t, p.Played(), "failed frames are not played")
	require.Equal(t, 500*time.Millisecond, p.Queued(), "but they are gone: playback stays real time")
}

func TestPlayerErrors(t *testing.T) {
	for _, rate := range []int{0, -8000, 44100 + 1} {
		_, err := NewPlayer(rate, &fakeWriter{})
		require.ErrorIs(t, err, ErrInvalidRate, "rate %d", rate)
	}
	p, err := NewPlayer(16000, &fakeWriter{})
	require.NoError(t, err)
	require.ErrorIs(t, p.Enqueue(pcm.Audio{Samples: []int16{1}, Rate: 0}), ErrInvalidRate)
	require.ErrorIs(t, p.Enqueue(pcm.Audio{Samples: []int16{1}, Rate: 1 << 30}), audio.ErrInvalidRate)
	require.NoError(t, p.Enqueue(pcm.Audio{Samples: make([]int16, 16000), Rate: 16000}))

	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Millisecond)
	defer cancel()
	require.ErrorIs(t, p.WaitIdle(ctx), context.DeadlineExceeded)

	p.Close()
	p.Close()
	require.NoError(t, p.WaitIdle(context.Background()), "Close releases idle waiters")
	require.ErrorIs(t, p.Enqueue(pcm.Audio{Samples: []int16{1}, Rate: 16000}), ErrClosed)
	verifyNoLeaks(t)
}

func TestPlayerRealTime(t *testing.T) {
	w := &fakeWriter{}
	start := time.Now()
	p, err := NewPlayer(48000, w)
	require.NoError(t, err)
	require.NoError(t, p.Enqueue(pcm.Audio{Samples: tone(440, 24000, time.Second, 8000), Rate: 24000}))
	require.NoError(t, p.WaitIdle(context.Background()))
	elapsed := time.Since(start)
	p.Close()
	require.Equal(t, time.Second, p.Played())
	// 50 frames, due every 20 ms from the start: the last is due at 980 ms
	// and cannot be written earlier. The upper bound is loose on purpose.
	require.GreaterOrEqual(t, elapsed, 980*time.Millisecond)
	require.Less(t, elapsed, 5*time.Second)
	w.mu.Lock()
	defer w.mu.Unlock()
	avg := w.times[len(w.times)-1].Sub(w.times[0]) / time.Duration(len(w.times)-1)
	t.Logf("%d frames in %v, average interval %v", len(w.times), elapsed, avg)
	verifyNoLeaks(t)
}

func TestPlayerConcurrentUse(t *testing.T) {
	w := &fakeWriter{}
	p, err := NewPlayer(48000, w)
	require.NoError(t, err)
	var wg sync.WaitGroup
	for g := range 4 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			rate := []int{16000, 22050, 24000, 48000}[g]
			chunk := tone(440, rate, 30*time.Millisecond, 4000)
			for i := range 20 {
				if err := p.Enqueue(pcm.Audio{Samples: chunk, Rate: rate}); err != nil {
					t.Error(err)
					return
				}
				_ = p.Queued()
				_ = p.Played()
				<-p.Idle()
				if i%7 == 0 {
					p.Flush()
				}
			}
		}()
	}
	wg.Wait()
	ctx, cancel := context.WithTimeout(context.Background(), waitLong)
	defer cancel()
	p.Flush()
	require.NoError(t, p.WaitIdle(ctx))
	played := p.Played()
	p.Close()
	require.Equal(t, played, p.Played(), "nothing plays after Close")
	verifyNoLeaks(t)
}

func TestPlayerMark(t *testing.T) {
	w := &fakeWriter{}
	p := newClockPlayer(t, 48000, w)
	var marks []int
	p.Mark(func(time.Time) { _, _, n := w.counts(); marks = append(marks, n) })
	p.advance(100 * time.Millisecond) // silence only: no mark yet
	require.Empty(t, marks)
	require.NoError(t, p.Enqueue(pcm.Audio{Samples: tone(300, 48000, 100*time.Millisecond, 8000), Rate: 48000}))
	p.advance(100 * time.Millisecond)
	require.Equal(t, []int{960}, marks, "called once, after the first speech frame")

	// Flush drops a pending mark.
	p.Mark(func(time.Time) { marks = append(marks, -1) })
	p.Flush()
	require.NoError(t, p.Enqueue(pcm.Audio{Samples: tone(300, 48000, 100*time.Millisecond, 8000), Rate: 48000}))
	p.advance(100 * time.Millisecond)
	require.Equal(t, []int{960}, marks)
}
