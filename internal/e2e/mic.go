package e2e

import (
	"context"
	"testing"
	"time"

	"github.com/pion/webrtc/v4"
	pmedia "github.com/pion/webrtc/v4/pkg/media"
	"gopkg.in/hraban/opus.v2"

	"github.com/parleyhq/parley/internal/caller"
)

// micSamples is a 20 ms frame at 48 kHz.
const micSamples = 960

// Mic is a caller's microphone as a browser runs it: a 20 ms Opus frame
// every 20 ms on its track, what Say queued or else silence, until the
// test ends (the shared caller.Voice paces it).
type Mic struct {
	voice *caller.Voice[[]int16]
}

// StartMic starts sending on track (48 kHz mono Opus, VoIP mode); it stops
// when the test ends, before the peer closes (a cleanup registered after
// LoopbackPeer's or Dial's runs first).
func StartMic(t testing.TB, track *webrtc.TrackLocalStaticSample) *Mic {
	t.Helper()
	enc, err := opus.NewEncoder(48000, 1, opus.AppVoIP)
	if err != nil {
		t.Fatalf("opus encoder: %v", err)
	}
	m := &Mic{voice: caller.NewVoice[[]int16](4)}
	ctx, cancel := context.WithCancel(context.Background())
	stopped := make(chan struct{})
	t.Cleanup(func() { cancel(); <-stopped })
	go func() {
		defer close(stopped)
		tick := time.NewTicker(caller.FrameDuration)
		defer tick.Stop()
		silence := make([]int16, micSamples)
		buf := make([]byte, 1500)
		for {
			select {
			case <-ctx.Done():
				return
			case <-tick.C:
			}
			frame, ok := m.voice.Next()
			if !ok {
				frame = silence
			}
			n, err := enc.Encode(frame, buf)
			if err != nil {
				t.Errorf("opus encode: %v", err)
				return
			}
			if err := track.WriteSample(pmedia.Sample{Data: buf[:n], Duration: caller.FrameDuration}); err != nil {
				t.Errorf("write the microphone's sample: %v", err)
				return
			}
			m.voice.Sent(time.Now())
		}
	}()
	return m
}

// Say queues pcm (48 kHz mono, e.g. Speech48k) after what is queued; the
// channel closes once it has been sent. At most four wait in the queue.
func (m *Mic) Say(pcm []int16) <-chan struct{} {
	return m.Speak(pcm).Done()
}

// Speak is Say returning the utterance queued: its Onset and End, when its
// first and last frames were sent, may be read once its Done channel is
// closed.
func (m *Mic) Speak(pcm []int16) *caller.Utterance[[]int16] {
	u, _ := m.voice.Say(context.Background(), caller.PCMFrames(pcm, micSamples)) // no deadline: no error
	return u
}
