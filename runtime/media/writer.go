package media

import (
	"fmt"
	"sync/atomic"
	"time"

	"github.com/pion/webrtc/v4"
	pmedia "github.com/pion/webrtc/v4/pkg/media"

	"github.com/parleyhq/parley/runtime/audio"
)

// trackWriter is the FrameWriter of a Peer: it encodes 20 ms frames
// (Opus at opusEncodeRate, or µ-law at 8 kHz) and writes them to the peer's local
// track. It is not ready until the connection first comes up, so speech
// queued during set-up (a greeting) waits instead of being lost; later
// disconnections do not pause it, keeping playback in real time.
type trackWriter struct {
	codec   string
	track   *webrtc.TrackLocalStaticSample
	ready   *atomic.Bool
	frames  *atomic.Int64
	enc     *opusEncoder // nil for PCMU
	silence []byte       // cached packet for a silent frame
	buf     []byte
	sent    func(time.Duration) // optional: interval since the previous frame
	last    time.Time
}

var _ FrameWriter = (*trackWriter)(nil)

func newTrackWriter(codec string, track *webrtc.TrackLocalStaticSample, opusSilence []byte,
	ready *atomic.Bool, frames *atomic.Int64,
) (*trackWriter, error) {
	w := &trackWriter{codec: codec, track: track, ready: ready, frames: frames}
	if codec == CodecPCMU {
		w.buf = make([]byte, 0, pcmuRate/framesPerSec)
		w.silence = make([]byte, pcmuRate/framesPerSec)
		for i := range w.silence {
			w.silence[i] = audio.UlawSilence
		}
		return w, nil
	}
	enc, err := newOpusEncoder(opusEncodeRate)
	if err != nil {
		return nil, err
	}
	w.enc, w.silence = enc, opusSilence
	return w, nil
}

// String describes the stage, for example "opus track writer".
func (w *trackWriter) String() string {
	return w.codec + " track writer"
}

// WriteFrame implements FrameWriter.
func (w *trackWriter) WriteFrame(frame []int16, silent bool) error {
	if !w.ready.Load() {
		return ErrNotReady
	}
	data := w.silence
	if !silent {
		var err error
		if data, err = w.encode(frame); err != nil {
			return err
		}
	}
	if err := w.track.WriteSample(pmedia.Sample{Data: data, Duration: frameDuration}); err != nil {
		return fmt.Errorf("write %s sample: %w", w.codec, err)
	}
	w.frames.Add(1)
	if w.sent != nil {
		now := time.Now()
		if !w.last.IsZero() {
			w.sent(now.Sub(w.last))
		}
		w.last = now
	}
	return nil
}

func (w *trackWriter) encode(frame []int16) ([]byte, error) {
	if w.enc != nil {
		return w.enc.encode(frame)
	}
	w.buf = audio.AppendUlaw(w.buf[:0], frame)
	return w.buf, nil
}
