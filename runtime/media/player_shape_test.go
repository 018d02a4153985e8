package media

import (
	"math"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/parleyhq/parley/runtime/pcm"
	"github.com/stretchr/testify/require"
)

// frameLog is a FrameWriter that keeps every frame in order.
type frameLog struct {
	mu     sync.Mutex
	frames [][]int16
	silent []bool
}

func (w *frameLog) WriteFrame(frame []int16, silent bool) error {
	w.mu.Lock()
	defer w.mu.Unlock()
	w.frames = append(w.frames, append([]int16(nil), frame...))
	w.silent = append(w.silent, silent)
	return nil
}

// speech returns the samples of the speech frames, in order.
func (w *frameLog) speech() []int16 {
	w.mu.Lock()
	defer w.mu.Unlock()
	var out []int16
	for i, f := range w.frames {
		if !w.silent[i] {
			out = append(out, f...)
		}
	}
	return out
}

// kinds returns one letter per frame: 's' speech, '.' silent.
func (w *frameLog) kinds() string {
	w.mu.Lock()
	defer w.mu.Unlock()
	b := make([]byte, len(w.silent))
	for i, s := range w.silent {
		b[i] = 's'
		if s {
			b[i] = '.'
		}
	}
	return string(b)
}

// last returns the last frame written.
func (w *frameLog) last() []int16 {
	w.mu.Lock()
	defer w.mu.Unlock()
	return w.frames[len(w.frames)-1]
}

// ramp returns n distinct, non-zero, increasing samples.
func ramp(n int) []int16 {
	out := make([]int16, n)
	for i := range out {
		out[i] = int16(1000 + i)
	}
	return out
}

func constant(n int, v int16) []int16 {
	out := make([]int16, n)
	for i := range out {
		out[i] = v
	}
	return out
}

func requireBusy(t *testing.T, p *clockPlayer, msg string) {
	t.Helper()
	select {
	case <-p.Idle():
		t.Fatal("idle: " + msg)
	default:
	}
}

func requireIdle(t *testing.T, p *clockPlayer, msg string) {
	t.Helper()
	select {
	case <-p.Idle():
	default:
		t.Fatal("not idle: " + msg)
	}
}

func TestPlayerPauseResume(t *testing.T) {
	const rate, frame, fade = 48000, 960, 240 // fade: 5 ms
	w := &frameLog{}
	p := newClockPlayer(t, rate, w)
	src := ramp(rate / 2) // 500 ms
	require.NoError(t, p.Enqueue(pcm.Audio{Samples: src, Rate: rate}))
	p.advance(100 * time.Millisecond) // 5 speech frames
	require.Equal(t, 100*time.Millisecond, p.Played())

	p.Pause()
	p.Pause()
	require.True(t, p.Paused())
	p.advance(20 * time.Millisecond) // the fade-out frame
	out := w.last()
	require.Equal(t, src[5*frame:6*frame-fade], out[:frame-fade], "full gain up to the ramp")
	require.Zero(t, out[frame-1], "faded to zero at the frame's end")
	for j := frame - fade + 1; j < frame; j++ {
		require.Less(t, out[j], out[j-1], "the ramp falls (sample %d)", j)
	}
	// The ramp's samples are not used up: they are played again on Resume.
	played := p.Played()
	require.Equal(t, (6*frame-fade)*int(time.Second)/rate, int(played))

	p.advance(300 * time.Millisecond)
	require.Equal(t, played, p.Played(), "Played stands still while paused")
	require.Equal(t, "."+strings.Repeat("s", 6)+strings.Repeat(".", 15), w.kinds(), "silent frames while paused")
	requireBusy(t, p, "paused with speech queued")
	require.Equal(t, 500*time.Millisecond-played, p.Queued())

	p.Resume()
	p.Resume()
	require.False(t, p.Paused())
	p.advance(20 * time.Millisecond)
	in := w.last()
	require.Equal(t, src[6*frame-fade : 7*frame-fade][fade:], in[fade:], "continues from the paused sample")
	for j := 1; j < fade; j++ {
		require.Greater(t, in[j], in[j-1], "the fade-in rises (sample %d)", j)
	}
	// Crossfade: each ramp sample is played twice with gains that add up
	// to one, so it is all there.
	for j := range fade {
		sum := int(out[frame-fade+j]) + int(in[j])
		require.InDelta(t, int(src[6*frame-fade+j]), sum, 2, "ramp sample %d", j)
	}
	requireBusy(t, p, "resumed with speech queued")

	p.advance(500 * time.Millisecond)
	requireIdle(t, p, "after Resume and drain")
	require.Equal(t, 500*time.Millisecond, p.Played(), "every sample played once, the ramp counted once")
	got := w.speech()
	n := len(src) + fade // the ramp is heard twice
	require.Len(t, got, (n+frame-1)/frame*frame, "whole frames")
	require.Equal(t, src[:6*frame-fade], got[:6*frame-fade])
	require.Equal(t, src[6*frame:], got[6*frame+fade:n], "the rest in order, exactly")
	require.Equal(t, make([]int16, len(got)-n), got[n:], "the last frame's padding")
}

func TestPlayerPauseNoop(t *testing.T) {
	w := &frameLog{}
	p := newClockPlayer(t, 16000, w)
	src := ramp(16000 / 5) // 200 ms
	require.NoError(t, p.Enqueue(pcm.Audio{Samples: src, Rate: 16000}))
	p.advance(60 * time.Millisecond)
	// A Pause and Resume between two frames change nothing.
	p.Pause()
	p.Resume()
	p.advance(200 * time.Millisecond)
	require.Equal(t, src, w.speech())
	require.Equal(t, 200*time.Millisecond, p.Played())
}

func TestPlayerPausedBeforeSpeech(t *testing.T) {
	w := &frameLog{}
	p := newClockPlayer(t, 16000, w)
	p.Pause()
	requireIdle(t, p, "paused with nothing queued")
	src := ramp(16000 / 10) // 100 ms
	require.NoError(t, p.Enqueue(pcm.Audio{Samples: src, Rate: 16000}))
	require.Empty(t, p.kick, "no kick while paused: the pacing keeps its clock")
	p.advance(200 * time.Millisecond)
	require.Empty(t, w.speech(), "enqueued while paused: waits")
	require.Zero(t, p.Played())
	requireBusy(t, p, "paused with speech queued")

	p.Resume()
	p.advance(200 * time.Millisecond)
	require.Equal(t, src, w.speech(), "nothing faded: there was nothing to fade out")
	requireIdle(t, p, "drained")

	// Close while paused releases waiters as usual.
	require.NoError(t, p.Enqueue(pcm.Audio{Samples: src, Rate: 16000}))
	p.Pause()
	p.advance(40 * time.Millisecond)
	requireBusy(t, p, "paused")
	p.Close()
	requireIdle(t, p, "closed")
}

func TestPlayerFlushClearsPauseAndGain(t *testing.T) {
	w := &frameLog{}
	p := newClockPlayer(t, 48000, w)
	require.NoError(t, p.Enqueue(pcm.Audio{Samples: constant(48000, 10000), Rate: 48000}))
	p.SetGain(-20)
	p.advance(100 * time.Millisecond)
	p.Pause()
	p.advance(100 * time.Millisecond)
	require.Greater(t, p.Flush(), 500*time.Millisecond)
	require.False(t, p.Paused(), "a flushed Player is not paused")
	require.Zero(t, p.Gain(), "Flush resets the gain")
	requireIdle(t, p, "flushed")

	// The next reply plays at once and in full.
	require.NoError(t, p.Enqueue(pcm.Audio{Samples: constant(4800, 10000), Rate: 48000}))
	n := len(w.speech())
	p.advance(100 * time.Millisecond)
	require.Equal(t, constant(4800, 10000), w.speech()[n:])
}

func TestPlayerGain(t *testing.T) {
	const frame = 960
	w := &frameLog{}
	p := newClockPlayer(t, 48000, w)
	require.Zero(t, p.Gain(), "0 dB by default")
	require.NoError(t, p.Enqueue(pcm.Audio{Samples: constant(48000, 10000), Rate: 48000}))
	p.advance(40 * time.Millisecond)
	require.Equal(t, constant(frame, 10000), w.last())

	p.SetGain(-20)
	require.Equal(t, -20.0, p.Gain())
	p.advance(20 * time.Millisecond)
	down := w.last()
	require.Less(t, down[0], int16(10000), "the ramp starts at once")
	require.Greater(t, down[0], int16(9900), "without a step")
	require.InDelta(t, 1000, down[frame-1], 1, "and ends at -20 dB")
	for j := 1; j < frame; j++ {
		require.LessOrEqual(t, down[j], down[j-1], "the transition is monotonic (sample %d)", j)
	}
	require.Greater(t, down[frame/2], int16(5000), "linear in amplitude")
	require.Less(t, down[frame/2], int16(6000))

	p.advance(20 * time.Millisecond)
	require.InDelta(t, 1000, rms(w.last()), 1, "-20 dB is a tenth of the amplitude")

	p.SetGain(0)
	p.advance(20 * time.Millisecond)
	up := w.last()
	for j := 1; j < frame; j++ {
		require.GreaterOrEqual(t, up[j], up[j-1], "back up, monotonic (sample %d)", j)
	}
	require.InDelta(t, 10000, up[frame-1], 1)
	p.advance(20 * time.Millisecond)
	require.Equal(t, constant(frame, 10000), w.last())

	// Over silence the gain applies at once: the next utterance starts
	// ducked, without a ramp from the old gain.
	p.advance(time.Second)
	requireIdle(t, p, "drained")
	p.SetGain(-40)
	p.advance(40 * time.Millisecond)
	require.NoError(t, p.Enqueue(pcm.Audio{Samples: constant(frame, 10000), Rate: 48000}))
	p.advance(20 * time.Millisecond)
	require.InDelta(t, 100, rms(w.last()), 1, "-40 dB is a hundredth, at once")
	require.InDelta(t, 100, w.last()[0], 1)
}

func TestPlayerSetGainClamps(t *testing.T) {
	p := newClockPlayer(t, 8000, &frameLog{})
	for _, tt := range []struct{ in, want float64 }{
		{-6, -6}, {-40, -40}, {-100, MinGainDB}, {math.Inf(-1), MinGainDB},
		{6, MaxGainDB}, {math.Inf(1), MaxGainDB}, {math.NaN(), 0}, {0, 0},
	} {
		p.SetGain(tt.in)
		require.Equal(t, tt.want, p.Gain(), "SetGain(%v)", tt.in)
	}
}

func TestPlayerPauseWhileDucked(t *testing.T) {
	// Ducking and pausing together: the pause's fades apply on top of the
	// gain, and the resumed speech keeps the gain.
	const frame, fade = 160, 40
	w := &frameLog{}
	p := newClockPlayer(t, 8000, w)
	p.SetGain(-20)
	require.NoError(t, p.Enqueue(pcm.Audio{Samples: constant(8000, 10000), Rate: 8000}))
	p.advance(40 * time.Millisecond)
	p.Pause()
	p.advance(60 * time.Millisecond)
	p.Resume()
	p.advance(40 * time.Millisecond)
	require.Equal(t, ".ss"+"s.."+"ss", w.kinds())
	got := w.speech()
	require.Equal(t, constant(frame-fade, 1000), got[2*frame:3*frame-fade], "ducked up to the fade-out")
	require.Zero(t, got[3*frame-1])
	require.Equal(t, constant(frame-fade, 1000), got[3*frame+fade:4*frame], "ducked after the fade-in")
	require.Equal(t, constant(frame, 1000), got[4*frame:])
}
