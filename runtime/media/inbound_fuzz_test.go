package media

import (
	"encoding/binary"
	"testing"
	"time"

	"github.com/parleyhq/parley/runtime/audio"
)

// encodePackets lays packets out as FuzzInbound reads them: for each, a
// sequence step (int16), a timestamp step (uint32), a payload length
// (uint16) and the payload.
func encodePackets(pkts [][]byte, seqStep int16, tsStep uint32) []byte {
	var b []byte
	for _, p := range pkts {
		b = binary.BigEndian.AppendUint16(b, uint16(seqStep))
		b = binary.BigEndian.AppendUint32(b, tsStep)
		b = binary.BigEndian.AppendUint16(b, uint16(len(p)))
		b = append(b, p...)
	}
	return b
}

// maxFramesPerPacket bounds the Sink frames one packet may produce: a
// filled gap of at most 1 s, the longest payload it can decode (120 ms of
// Opus, or 4096 µ-law bytes at 8 kHz: 512 ms), and the frame in progress.
const maxFramesPerPacket = framesPerSec + 4096/(pcmuRate/framesPerSec) + 2

// FuzzInbound feeds the inbound path any sequence of RTP packets (sequence
// and timestamp steps, payloads) for Opus or PCMU. Every frame the Sink
// gets is whole, the counters agree with what happened, and no packet,
// however its numbers jump, produces more than a second of gap fill plus
// its own audio.
func FuzzInbound(f *testing.F) {
	opusPkts := opusPackets(f, tone(440, opusRate, 200*time.Millisecond, 8000))
	f.Add(true, encodePackets(opusPkts, 1, 960))
	f.Add(true, encodePackets(opusPkts, 3, 960*3))      // every other two lost
	f.Add(true, encodePackets(opusPkts, 1, 1<<31-1))    // timestamp jumps
	f.Add(true, encodePackets(opusPkts, -20000, 12345)) // sequence restarts
	src := tone(440, pcmuRate, 200*time.Millisecond, 8000)
	var ulaw [][]byte
	for i := 0; i+160 <= len(src); i += 160 {
		ulaw = append(ulaw, audio.AppendUlaw(nil, src[i:i+160]))
	}
	f.Add(false, encodePackets(ulaw, 1, 160))
	f.Add(false, encodePackets(ulaw, 2, 1<<30))
	f.Add(true, []byte{0, 1, 0, 0, 3, 192, 0, 3, 0xFF, 0xFF, 0xFF}) // a bad Opus packet
	f.Fuzz(func(t *testing.T, isOpus bool, data []byte) {
		codec := CodecPCMU
		if isOpus {
			codec = CodecOpus
		}
		sink := &frameCounter{t: t}
		var st counters
		in, err := newInbound(codec, sink, &st)
		if err != nil {
			t.Fatal(err)
		}
		seq, ts := uint16(1000), uint32(0)
		packets := 0
		for len(data) >= 8 {
			seq += binary.BigEndian.Uint16(data)
			ts += binary.BigEndian.Uint32(data[2:])
			n := min(int(binary.BigEndian.Uint16(data[6:])%4097), len(data)-8)
			payload := data[8 : 8+n]
			data = data[8+n:]
			before := sink.frames
			in.packet(seq, ts, payload)
			packets++
			if got := sink.frames - before; got > maxFramesPerPacket {
				t.Fatalf("packet %d (%d bytes) produced %d frames, more than %d", packets, n, got, maxFramesPerPacket)
			}
		}
		if st.packetsIn.Load() != int64(packets) || st.framesIn.Load() != int64(sink.frames) || st.packetsLost.Load() < 0 {
			t.Fatalf("counters: %d packets in (sent %d), %d frames (sink got %d), %d lost",
				st.packetsIn.Load(), packets, st.framesIn.Load(), sink.frames, st.packetsLost.Load())
		}
	})
}

// frameCounter is a Sink that counts frames and checks their size.
type frameCounter struct {
	t      *testing.T
	frames int
}

func (s *frameCounter) WriteFrame(f []int16) {
	if len(f) != SinkFrameSamples {
		s.t.Fatalf("frame of %d samples, want %d", len(f), SinkFrameSamples)
	}
	s.frames++
}
