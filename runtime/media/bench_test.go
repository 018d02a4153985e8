package media

import (
	"slices"
	"testing"
	"time"

	"github.com/parleyhq/parley/runtime/audio"
	"github.com/parleyhq/parley/runtime/pcm"
)

// opusFrameWriter encodes like the WebRTC writer but sends nothing.
type opusFrameWriter struct{ enc *opusEncoder }

func (w *opusFrameWriter) WriteFrame(frame []int16, silent bool) error {
	if silent {
		return nil
	}
	_, err := w.enc.encode(frame)
	return err
}

// BenchmarkPlayerFrame is the agent's cost per 20 ms of speech: enqueue
// 20 ms of TTS audio at 22.05 kHz, resample to 24 kHz, Opus-encode.
func BenchmarkPlayerFrame(b *testing.B) { benchPlayerFrame(b, 0) }

// BenchmarkPlayerFrameDucked is BenchmarkPlayerFrame with the speech
// ducked by 12 dB (Player.SetGain): the cost of the gain on every frame.
func BenchmarkPlayerFrameDucked(b *testing.B) { benchPlayerFrame(b, -12) }

func benchPlayerFrame(b *testing.B, gainDB float64) {
	enc, err := newOpusEncoder(opusEncodeRate)
	if err != nil {
		b.Fatal(err)
	}
	p, err := newPlayer(opusEncodeRate, &opusFrameWriter{enc: enc})
	if err != nil {
		b.Fatal(err)
	}
	defer p.Close()
	p.SetGain(gainDB)
	src := tone(440, 22050, time.Second, 8000)
	chunk := 441 // 20 ms at 22.05 kHz
	// Keep 100 ms queued, as when TTS runs ahead of playback, so the
	// resampler streams instead of flushing its tail every frame.
	if err := p.Enqueue(pcm.Audio{Samples: src[:5*chunk], Rate: 22050}); err != nil {
		b.Fatal(err)
	}
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		off := (i * chunk) % (len(src) - chunk)
		if err := p.Enqueue(pcm.Audio{Samples: src[off : off+chunk], Rate: 22050}); err != nil {
			b.Fatal(err)
		}
		p.writeOne()
	}
}

// BenchmarkPlayerPacing is the Player's own cost per 20 ms of speech,
// without a resampler or a codec: enqueue a frame at the Player's rate and
// write it to a writer that discards it.
func BenchmarkPlayerPacing(b *testing.B) { benchPlayerPacing(b, 0) }

// BenchmarkPlayerPacingDucked is BenchmarkPlayerPacing with the speech
// ducked by 12 dB: the gain's own cost per frame.
func BenchmarkPlayerPacingDucked(b *testing.B) { benchPlayerPacing(b, -12) }

func benchPlayerPacing(b *testing.B, gainDB float64) {
	p, err := newPlayer(opusEncodeRate, discardWriter{})
	if err != nil {
		b.Fatal(err)
	}
	defer p.Close()
	p.SetGain(gainDB)
	frame := tone(440, opusEncodeRate, frameDuration, 8000)
	speech := pcm.Audio{Samples: frame, Rate: opusEncodeRate}
	if err := p.Enqueue(speech); err != nil {
		b.Fatal(err)
	}
	b.ReportAllocs()
	b.ResetTimer()
	for range b.N {
		if err := p.Enqueue(speech); err != nil {
			b.Fatal(err)
		}
		p.writeOne()
	}
}

// BenchmarkInboundFrame is the caller's cost per 20 ms: Opus decode,
// resample 48 -> 16 kHz, cut into a Sink frame.
func BenchmarkInboundFrame(b *testing.B) {
	pkts := opusPackets(b, tone(440, opusRate, time.Second, 8000))
	var st counters
	in, err := newInbound(CodecOpus, nil, &st)
	if err != nil {
		b.Fatal(err)
	}
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		in.packet(uint16(i), uint32(960*i), pkts[i%len(pkts)])
	}
}

// BenchmarkInboundFramePCMU is BenchmarkInboundFrame for PCMU (8 -> 16 kHz).
func BenchmarkInboundFramePCMU(b *testing.B) {
	pkt := audio.AppendUlaw(nil, tone(440, pcmuRate, frameDuration, 8000))
	var st counters
	in, err := newInbound(CodecPCMU, nil, &st)
	if err != nil {
		b.Fatal(err)
	}
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		in.packet(uint16(i), uint32(160*i), pkt)
	}
}

// BenchmarkPlayerStartDelay is the time from queuing speech on an idle
// Player to its first frame being written: what a reply waits for the
// pacing. Reported as p50 and max of the iterations (run with
// -benchtime 50x).
func BenchmarkPlayerStartDelay(b *testing.B) {
	p, err := NewPlayer(opusEncodeRate, &discardWriter{})
	if err != nil {
		b.Fatal(err)
	}
	defer p.Close()
	speech := pcm.Audio{Samples: tone(300, opusEncodeRate, 40*time.Millisecond, 8000), Rate: opusEncodeRate}
	delays := make([]time.Duration, 0, b.N)
	for range b.N {
		// Land at a random point of the 20 ms cadence.
		time.Sleep(time.Duration(7+len(delays)%13) * time.Millisecond)
		marked := make(chan time.Time, 1)
		p.Mark(func(at time.Time) { marked <- at })
		queued := time.Now()
		if err := p.Enqueue(speech); err != nil {
			b.Fatal(err)
		}
		delays = append(delays, (<-marked).Sub(queued))
		<-p.Idle()
	}
	slices.Sort(delays)
	b.ReportMetric(float64(delays[len(delays)/2].Microseconds())/1000, "p50-ms")
	b.ReportMetric(float64(delays[len(delays)-1].Microseconds())/1000, "max-ms")
}

type discardWriter struct{}

func (discardWriter) WriteFrame([]int16, bool) error { return nil }
