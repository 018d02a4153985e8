package pipeline

import (
	"errors"
	"sync"

	"github.com/parleyhq/parley/runtime/fault"
	"github.com/parleyhq/parley/runtime/media"
	"github.com/parleyhq/parley/runtime/metrics"
	"github.com/parleyhq/parley/runtime/provider"
)

// feedQueue bounds what waits for the STT plugin: 20 s of 20 ms frames (a
// turn's audio sent again after a discarded speculation is one entry).
const feedQueue = 1024

// errSTTBehind fails a stream whose plugin has fallen feedQueue entries
// behind: its turn's audio is no longer whole.
var errSTTBehind = errors.New("the speech-to-text plugin fell too far behind the caller's audio")

// feedOp is one thing to hand the STT stream: audio, or the end of an
// utterance.
type feedOp struct {
	pcm   []int16
	frame *[]int16 // pcm's buffer, from the pool, when it is one frame
	end   bool
}

// sttFeed hands a call's audio and utterance ends to its STT stream from a
// goroutine of its own, in order, so that the conversation loop never
// waits for the plugin (gRPC flow control makes SendAudio wait while the
// plugin decodes: a turn's audio sent again at once would hold the loop
// for as long as it takes to decode it). A failure is reported on the
// conversation's stt channel like the stream's own errors.
type sttFeed struct {
	ops    chan feedOp
	frames sync.Pool // *[]int16 of one frame
	broken bool      // an op was refused: the stream is failed (loop only)
}

func newSTTFeed(c *conversation, st provider.STTStream) *sttFeed {
	f := &sttFeed{ops: make(chan feedOp, feedQueue)}
	f.frames.New = func() any { b := make([]int16, media.SinkFrameSamples); return &b }
	go f.run(c, st)
	return f
}

// run hands the queued ops to st until the queue is closed. After a
// failure it drops the rest.
func (f *sttFeed) run(c *conversation, st provider.STTStream) {
	defer fault.Recover(metrics.ComponentPipeline, c.fault)
	var failed bool
	for op := range f.ops {
		if failed {
			f.recycle(op)
			continue
		}
		var err error
		if op.end {
			err = st.EndUtterance()
		} else {
			for pcm := op.pcm; len(pcm) > 0 && err == nil; {
				n := min(len(pcm), media.SinkFrameSamples)
				err = st.SendAudio(pcm[:n])
				pcm = pcm[n:]
			}
		}
		f.recycle(op)
		if err != nil {
			failed = true
			select {
			case c.stt <- sttEvent{stream: st, err: err}:
			case <-c.ctx.Done():
			}
		}
	}
}

// audio queues a copy of pcm; false when the queue is full.
func (f *sttFeed) audio(pcm []int16) bool {
	var op feedOp
	if len(pcm) == media.SinkFrameSamples {
		op.frame = f.frames.Get().(*[]int16)
		op.pcm = *op.frame
		copy(op.pcm, pcm)
	} else {
		op.pcm = append([]int16(nil), pcm...)
	}
	return f.push(op)
}

// endUtterance queues the end of an utterance; false when the queue is
// full.
func (f *sttFeed) endUtterance() bool { return f.push(feedOp{end: true}) }

func (f *sttFeed) push(op feedOp) bool {
	if f.broken {
		return false
	}
	select {
	case f.ops <- op:
		return true
	default:
		f.broken = true
		f.recycle(op)
		return false
	}
}

// recycle gives a frame's buffer back.
func (f *sttFeed) recycle(op feedOp) {
	if op.frame != nil {
		f.frames.Put(op.frame)
	}
}

// close ends the feed's goroutine once it has handed on what is queued (or
// at once when the stream is closed under it).
func (f *sttFeed) close() { close(f.ops) }
