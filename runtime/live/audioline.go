package live

import (
	"github.com/parleyhq/parley/runtime/fault"
	"sync"
	"time"

	"github.com/parleyhq/parley/runtime/audio"
	"github.com/parleyhq/parley/runtime/media"
	"github.com/parleyhq/parley/runtime/pcm"
	"github.com/parleyhq/parley/runtime/signaling"
)

// Audio-data transport: for clients without WebRTC, the caller's audio
// arrives as audio-data events (base64 PCM16) and the agent's voice leaves
// as audio-data events of AudioDataRate, at most audioChunk long, paced in
// real time like RTP so that a barge-in can stop it.
const (
	AudioDataRate = signaling.AudioSampleRate
	frameSamples  = AudioDataRate / 50 // 20 ms
	audioChunk    = 5                  // frames per outgoing event: 100 ms
)

// audioLine is one caller's audio-data transport.
type audioLine struct {
	player *media.Player
	out    *audioOut

	// Inbound; used only from the socket's event queue.
	sink   media.Sink
	rs     *audio.Resampler // for input at rsRate; a client that changes rate gets a new one
	rsRate int
	buf    []int16 // samples short of a whole frame
	tmp    []int16
}

func newAudioLine(client signaling.Client, sessionID string, sink media.Sink, onFault fault.Handler) (*audioLine, error) {
	out := &audioOut{client: client, sessionID: sessionID}
	player, err := media.NewPlayer(AudioDataRate, out)
	if err != nil {
		return nil, err
	}
	player.OnFault(onFault)
	return &audioLine{player: player, out: out, sink: sink}, nil
}

// feed resamples chunk to 16 kHz and hands it to the sink in 20 ms frames.
func (l *audioLine) feed(chunk pcm.Audio) error {
	in := chunk.Samples
	if chunk.Rate != media.SinkRate {
		if l.rs == nil || l.rsRate != chunk.Rate {
			// One resampler at a time: filters are large, and a client
			// cycling through rates must not make the server keep each.
			r, err := audio.NewResampler(chunk.Rate, media.SinkRate)
			if err != nil {
				return signaling.Errorf(signaling.CodeInvalidPayload, "audio-data: %v", err)
			}
			l.rs, l.rsRate = r, chunk.Rate
		}
		l.tmp = l.rs.Process(in, l.tmp[:0])
		in = l.tmp
	}
	l.buf = append(l.buf, in...)
	n := 0
	for ; n+media.SinkFrameSamples <= len(l.buf); n += media.SinkFrameSamples {
		l.sink.WriteFrame(l.buf[n : n+media.SinkFrameSamples])
	}
	l.buf = append(l.buf[:0], l.buf[n:]...)
	return nil
}

func (l *audioLine) setClient(c signaling.Client) { l.out.setClient(c) }

func (l *audioLine) close() { l.player.Close() }

// audioOut sends the agent's voice as audio-data events (media.FrameWriter).
type audioOut struct {
	sessionID string

	mu      sync.Mutex
	client  signaling.Client
	pending []int16
}

func (o *audioOut) setClient(c signaling.Client) {
	o.mu.Lock()
	o.client = c
	o.mu.Unlock()
}

// WriteFrame collects speech and sends it every audioChunk frames, and at
// the end of each utterance; silence is not sent.
func (o *audioOut) WriteFrame(frame []int16, silent bool) error {
	o.mu.Lock()
	defer o.mu.Unlock()
	if !silent {
		o.pending = append(o.pending, frame...)
	}
	if len(o.pending) == 0 || (!silent && len(o.pending) < audioChunk*frameSamples) {
		return nil
	}
	ev := signaling.AudioEvent(signaling.AgentPeerID, pcm.Audio{Samples: o.pending, Rate: AudioDataRate}, time.Now().UnixMilli())
	ev["sessionId"] = o.sessionID
	o.pending = o.pending[:0]
	if o.client != nil {
		o.client.Emit("audio-data", ev)
	}
	return nil
}
