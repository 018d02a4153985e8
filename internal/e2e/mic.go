package e2e

import (
	"context"
	"testing"
	"time"

	"github.com/pion/webrtc/v4"
	pmedia "github.com/pion/webrtc/v4/pkg/media"
	"gopkg.in/hraban/opus.v2"
)

const (
	micFrame   = 20 * time.Millisecond
	micSamples = 960 // 20 ms at 48 kHz
)

// Mic is a caller's microphone as a browser runs it: a 20 ms Opus frame
// every 20 ms on its track, what Say queued or else silence, until the
// test ends.
type Mic struct {
	speech chan utterance
}

// utterance is audio for the microphone and a channel closed once it is
// sent.
type utterance struct {
	pcm  []int16
	sent chan struct{}
}

// StartMic starts sending on track (48 kHz mono Opus, VoIP mode); it stops
// when the test ends, before the peer closes (a cleanup registered after
// LoopbackPeer's runs first).
func StartMic(t testing.TB, track *webrtc.TrackLocalStaticSample) *Mic {
	t.Helper()
	enc, err := opus.NewEncoder(48000, 1, opus.AppVoIP)
	if err != nil {
		t.Fatalf("opus encoder: %v", err)
	}
	m := &Mic{speech: make(chan utterance, 4)}
	ctx, cancel := context.WithCancel(context.Background())
	stopped := make(chan struct{})
	t.Cleanup(func() { cancel(); <-stopped })
	go func() {
		defer close(stopped)
		tick := time.NewTicker(micFrame)
		defer tick.Stop()
		silence := make([]int16, micSamples)
		buf := make([]byte, 1500)
		var cur *utterance
		var rest []int16
		for {
			select {
			case <-ctx.Done():
				return
			case <-tick.C:
			}
			if cur == nil {
				select {
				case u := <-m.speech:
					cur, rest = &u, u.pcm
				default:
				}
			}
			frame := silence
			if cur != nil {
				frame = make([]int16, micSamples)
				rest = rest[copy(frame, rest):]
				if len(rest) == 0 {
					close(cur.sent)
					cur = nil
				}
			}
			n, err := enc.Encode(frame, buf)
			if err != nil {
				t.Errorf("opus encode: %v", err)
				return
			}
			if err := track.WriteSample(pmedia.Sample{Data: buf[:n], Duration: micFrame}); err != nil {
				t.Errorf("write the microphone's sample: %v", err)
				return
			}
		}
	}()
	return m
}

// Say queues pcm (48 kHz mono, e.g. Speech48k) after what is queued; the
// channel closes once it has been sent. At most four wait in the queue.
func (m *Mic) Say(pcm []int16) <-chan struct{} {
	u := utterance{pcm: pcm, sent: make(chan struct{})}
	m.speech <- u
	return u.sent
}
