package caller

import (
	"context"
	"time"
)

// FrameDuration is the caller's packet time: one 20 ms frame per tick, as a
// browser sends.
const FrameDuration = 20 * time.Millisecond

// Voice is what a caller says, paced by its sender: at each tick the
// sender takes the next frame of the utterance being spoken (Next), sends
// it, and says when (Sent); with nothing to say it sends silence. F is a
// frame as the sender takes it (PCM to encode, or an encoded packet). Say
// is safe from any goroutine; Next and Sent belong to the sender.
type Voice[F any] struct {
	queue chan *Utterance[F]
	cur   *Utterance[F]
	pos   int // index of the frame Next returned last, in cur
}

// Utterance is frames queued on a Voice. Onset and End are when its first
// and last frames were sent; both are set before Done closes.
type Utterance[F any] struct {
	Frames     []F
	Onset, End time.Time
	done       chan struct{}
}

// Done is closed once the utterance's last frame has been sent.
func (u *Utterance[F]) Done() <-chan struct{} { return u.done }

// NewVoice is a Voice on which up to queue utterances (at least one) wait
// behind the one being spoken.
func NewVoice[F any](queue int) *Voice[F] {
	return &Voice[F]{queue: make(chan *Utterance[F], max(queue, 1))}
}

// Say queues frames after what is queued, waiting until ctx ends for room;
// an utterance without frames is done at once.
func (v *Voice[F]) Say(ctx context.Context, frames []F) (*Utterance[F], error) {
	u := &Utterance[F]{Frames: frames, done: make(chan struct{})}
	if len(frames) == 0 {
		close(u.done)
		return u, nil
	}
	select {
	case v.queue <- u:
		return u, nil
	case <-ctx.Done():
		return nil, ctx.Err()
	}
}

// Next returns the frame to send at this tick: the next of the utterance
// being spoken, or, with ok false, none (send silence).
func (v *Voice[F]) Next() (frame F, ok bool) {
	if v.cur == nil {
		select {
		case v.cur = <-v.queue:
			v.pos = -1
		default:
			return frame, false
		}
	}
	v.pos++
	return v.cur.Frames[v.pos], true
}

// Sent tells when the frame Next returned was sent (or failed to be); the
// utterance's last frame ends it.
func (v *Voice[F]) Sent(at time.Time) {
	u := v.cur
	if u == nil {
		return
	}
	if v.pos == 0 {
		u.Onset = at
	}
	if v.pos == len(u.Frames)-1 {
		u.End = at
		v.cur = nil
		close(u.done)
	}
}

// PCMFrames cuts samples into frames of n samples, the last one padded
// with silence.
func PCMFrames(samples []int16, n int) [][]int16 {
	var frames [][]int16
	for len(samples) > 0 {
		f := make([]int16, n)
		samples = samples[copy(f, samples):]
		frames = append(frames, f)
	}
	return frames
}
