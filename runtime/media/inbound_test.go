package media

import (
	"testing"
	"time"

	"github.com/stretchr/testify/require"
	"gopkg.in/hraban/opus.v2"

	"github.com/parleyhq/parley/runtime/audio"
)

// opusPackets encodes pcm (48 kHz) as 20 ms Opus packets.
func opusPackets(t testing.TB, pcm []int16) [][]byte {
	t.Helper()
	enc, err := newOpusEncoder(opusRate)
	require.NoError(t, err)
	var pkts [][]byte
	for i := 0; i+960 <= len(pcm); i += 960 {
		b, err := enc.encode(pcm[i : i+960])
		require.NoError(t, err)
		pkts = append(pkts, append([]byte(nil), b...))
	}
	return pkts
}

func TestOpusRoundTrip(t *testing.T) {
	src := tone(440, opusRate, time.Second, 8000)
	dec, err := opus.NewDecoder(opusRate, 1)
	require.NoError(t, err)
	var out []int16
	buf := make([]int16, opusMaxFrame)
	for _, p := range opusPackets(t, src) {
		require.Less(t, len(p), 200, "about 32 kbps: 80 bytes a frame")
		n, err := dec.Decode(p, buf)
		require.NoError(t, err)
		require.Equal(t, 960, n)
		out = append(out, buf[:n]...)
	}
	require.Len(t, out, len(src))
	// Skip the codec's start-up; compare level and pitch.
	require.InDelta(t, rms(src), rms(out[4800:]), 0.15*rms(src))
	require.Greater(t, goertzel(out[4800:], opusRate, 440), 100*goertzel(out[4800:], opusRate, 880))
}

func TestOpusSilencePacket(t *testing.T) {
	pkt, err := opusSilencePacket()
	require.NoError(t, err)
	require.NotEmpty(t, pkt)
	dec, err := opus.NewDecoder(opusRate, 1)
	require.NoError(t, err)
	buf := make([]int16, opusMaxFrame)
	n, err := dec.Decode(pkt, buf)
	require.NoError(t, err)
	require.Equal(t, 960, n)
	require.Less(t, rms(buf[:n]), 1.0)
}

func TestInboundOpus(t *testing.T) {
	pkts := opusPackets(t, tone(440, opusRate, time.Second, 8000))
	tests := []struct {
		name string
		drop map[int]bool
		lost int64
		// Frames of the 50 still loud: concealed losses are (silence in
		// their place would make fewer), a burst past maxPLCFrames is not.
		minLoud, maxLoud int
	}{
		{"no loss", nil, 0, 50, 50},
		{"single losses (FEC/PLC)", map[int]bool{10: true, 25: true}, 2, 50, 50},
		{"burst of 3 (PLC)", map[int]bool{20: true, 21: true, 22: true}, 3, 48, 50},
		{"burst of 10 (silence)", map[int]bool{30: true, 31: true, 32: true, 33: true, 34: true, 35: true, 36: true, 37: true, 38: true, 39: true}, 10, 40, 41},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			sink := &frameSink{}
			var st counters
			in, err := newInbound(CodecOpus, sink, &st)
			require.NoError(t, err)
			for i, p := range pkts {
				if !tt.drop[i] {
					in.packet(uint16(65500+i), uint32(4_294_000_000+960*i), p) // both wrap
				}
			}
			require.Equal(t, int64(len(pkts)-len(tt.drop)), st.packetsIn.Load())
			require.Equal(t, tt.lost, st.packetsLost.Load())
			// 50 packets make 50 frames: Opus is decoded at the sink's rate.
			require.Equal(t, 50, sink.count(), "frame count tracks time across losses")
			require.Equal(t, int64(sink.count()), st.framesIn.Load())
			got := sink.samples()
			require.Greater(t, goertzel(got, SinkRate, 440), 50*goertzel(got, SinkRate, 1000))
			loud, _ := loudFrames(got, SinkFrameSamples, 1000)
			require.GreaterOrEqual(t, loud, tt.minLoud)
			require.LessOrEqual(t, loud, tt.maxLoud)
		})
	}
}

func TestInboundReorderAndDTX(t *testing.T) {
	pkts := opusPackets(t, tone(440, opusRate, 400*time.Millisecond, 8000))
	sink := &frameSink{}
	var st counters
	in, err := newInbound(CodecOpus, sink, &st)
	require.NoError(t, err)
	seq, ts := uint16(1), uint32(0)
	for i, p := range pkts {
		in.packet(seq, ts, p)
		if i == 5 {
			in.packet(seq, ts, p)   // duplicate: dropped
			in.packet(seq-2, ts, p) // late: dropped
			ts += 50 * 960          // 1 s of discontinuous transmission
		}
		seq++
		ts += 960
	}
	require.Zero(t, st.packetsLost.Load())
	// 400 ms of packets plus 1 s of DTX gap filled with silence.
	require.Equal(t, 70, sink.count())
}

func TestInboundPCMU(t *testing.T) {
	src := tone(440, pcmuRate, time.Second, 8000)
	sink := &frameSink{}
	var st counters
	in, err := newInbound(CodecPCMU, sink, &st)
	require.NoError(t, err)
	for i := 0; i < 50; i++ {
		if i == 7 {
			continue // lost: filled with silence
		}
		in.packet(uint16(i), uint32(160*i), audio.AppendUlaw(nil, src[160*i:160*(i+1)]))
	}
	require.Equal(t, int64(1), st.packetsLost.Load())
	require.InDelta(t, 50, sink.count(), 1)
	got := sink.samples()
	require.Greater(t, goertzel(got, SinkRate, 440), 50*goertzel(got, SinkRate, 1000))
	loud, _ := loudFrames(got, SinkFrameSamples, 1000)
	require.InDelta(t, 48, loud, 1)
}

func TestInboundJumps(t *testing.T) {
	pkts := opusPackets(t, tone(440, opusRate, 400*time.Millisecond, 8000)) // 20 packets
	tests := []struct {
		name string
		// at is the packet index at which seq and ts jump by these.
		at           int
		dseq         uint16
		dts          uint32
		stray        bool // only packet at jumps; the stream goes on after it
		frames, lost int
	}{
		{"timestamp jump of 10 s fills 1 s", 10, 0, 10 * opusRate, false, 20 + 50, 0},
		{"timestamp jump of 2^31-1 fills 1 s", 10, 0, 1<<31 - 1, false, 20 + 50, 0},
		{"timestamp jump back fills nothing", 10, 0, 1<<32 - 5*opusRate, false, 20, 0},
		{"sequence and timestamp restart forward", 10, 20000, 123456789, false, 19, 0},
		{"sequence and timestamp restart backward", 10, 1<<16 - 20000, 987654321, false, 19, 0},
		{"loss of 40 packets fills their 800 ms", 10, 40, 40 * 960, false, 20 + 40, 40},
		{"loss of 100 packets fills 1 s", 10, 100, 100 * 960, false, 20 + 50, 100},
		{"one stray packet counts as lost", 10, 30000, 5, true, 20, 1},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			sink := &frameSink{}
			var st counters
			in, err := newInbound(CodecOpus, sink, &st)
			require.NoError(t, err)
			seq, ts := uint16(7), uint32(1000)
			for i, p := range pkts {
				s, x := seq, ts
				if i >= tt.at && (!tt.stray || i == tt.at) {
					s, x = seq+tt.dseq, ts+tt.dts
				}
				in.packet(s, x, p)
				seq++
				ts += 960
			}
			require.Equal(t, tt.frames, sink.count())
			require.Equal(t, int64(tt.lost), st.packetsLost.Load())
		})
	}
}
