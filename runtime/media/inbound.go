package media

import (
	"fmt"
	"sync/atomic"

	"github.com/parleyhq/parley/runtime/audio"
	"gopkg.in/hraban/opus.v2"
)

// Sink receives the caller's audio: mono PCM16 at SinkRate (16 kHz) in
// 20 ms frames of SinkFrameSamples (320), in order. Gaps from lost packets
// (and discontinuous transmission) are filled, with Opus concealment or
// silence, so the frame count tracks time. WriteFrame is called from the
// peer's reader goroutine: it must not block for long and must not call
// Peer.Close (Close waits for that goroutine). frame is reused after
// WriteFrame returns.
type Sink interface {
	WriteFrame(frame []int16)
}

const (
	// maxPLCFrames is the longest loss concealed by Opus PLC/FEC; longer
	// gaps are filled with silence, since extrapolated speech that long
	// sounds worse than none.
	maxPLCFrames = 5
	// maxGapFrames caps one gap fill at 1 s (in 20 ms frames), so a timestamp
	// jump (a sender restarting its clock, or a hostile one) cannot flood
	// the Sink: longer silences are not worth keeping in time.
	maxGapFrames = framesPerSec
	// maxDropout and maxMisorder are RFC 3550's (A.1) bounds of a
	// sequence jump that still belongs to the same stream. Past them the
	// sender restarted (or lies): the stream resynchronises on the packet
	// instead of counting thousands lost or dropping every later packet as
	// late.
	maxDropout  = 3000
	maxMisorder = 100
)

// counters are a Peer's statistics, updated without locks.
type counters struct {
	packetsIn   atomic.Int64
	packetsLost atomic.Int64
	framesIn    atomic.Int64
	framesOut   atomic.Int64
}

// inbound turns the caller's RTP payloads into Sink frames:
//
//	payload -> gap fill (PLC/FEC | silence) -> decode (Opus | µ-law)
//	  -> resample to 16 kHz (PCMU only) -> 320-sample frames -> Sink
//
// Opus is decoded straight at 16 kHz: libopus then skips the upper band
// and no resampler runs, about three times cheaper than decoding at
// 48 kHz and resampling.
//
// It is used by one goroutine.
type inbound struct {
	codec string
	clock int // RTP clock rate of the codec
	rate  int // decoded sample rate
	dec   *opus.Decoder
	pcm   []int16          // decode buffer at rate
	zero  []int16          // silence at rate, one frame
	rs    *audio.Resampler // nil when rate is SinkRate
	rsOut []int16
	frame []int16 // Sink frame being filled
	n     int
	sink  Sink
	stats *counters

	started  bool
	nextSeq  uint16
	probing  bool // a sequence jump was seen; probeSeq would confirm it
	probeSeq uint16
	nextTS   uint32
	lastLen  int // samples (at rate) in the last decoded packet
}

func newInbound(codec string, sink Sink, stats *counters) (*inbound, error) {
	clock := codecRate(codec)
	rate := clock
	if codec == CodecOpus {
		rate = SinkRate
	}
	in := &inbound{
		codec: codec,
		clock: clock,
		rate:  rate,
		pcm:   make([]int16, opusMaxFrame),
		zero:  make([]int16, rate/framesPerSec),
		rsOut: make([]int16, 0, opusMaxFrame),
		frame: make([]int16, SinkFrameSamples),
		sink:  sink,
		stats: stats,
	}
	if codec == CodecOpus {
		dec, err := opus.NewDecoder(rate, 1)
		if err != nil {
			return nil, fmt.Errorf("inbound opus decoder: %w", err)
		}
		in.dec = dec
	}
	if rate != SinkRate {
		rs, err := audio.NewResampler(rate, SinkRate)
		if err != nil {
			return nil, fmt.Errorf("inbound: %w", err)
		}
		in.rs = rs
	}
	return in, nil
}

// String describes the stage, for example "opus 48000 Hz -> sink 16000 Hz".
func (in *inbound) String() string {
	return fmt.Sprintf("%s %d Hz -> sink %d Hz", in.codec, in.rate, SinkRate)
}

// packet handles one RTP packet. A packet older than the last one
// (reordered or duplicated) is dropped: its time has been filled already.
// A sequence jump past maxDropout ahead or maxMisorder behind is dropped
// too, unless the next packet follows it: then the sender restarted, and
// the stream resynchronises there with no gap. Any gap filled is at most
// 1 s.
func (in *inbound) packet(seq uint16, ts uint32, payload []byte) {
	in.stats.packetsIn.Add(1)
	if in.started {
		d := int(int16(seq - in.nextSeq))
		jump := d < -maxMisorder || d > maxDropout
		switch {
		case jump && (!in.probing || seq != in.probeSeq):
			in.probing, in.probeSeq = true, seq+1
			return
		case !jump && d < 0:
			return
		}
		in.probing = false
		lost, gap := 0, int64(0)
		if !jump {
			lost = d
			// The timestamp says how much time is missing (it also covers
			// discontinuous transmission, where no sequence number is lost).
			gap = max(int64(int32(ts-in.nextTS)), 0) * int64(in.rate) / int64(in.clock)
			if gap == 0 && lost > 0 {
				gap = int64(lost * in.lastLen)
			}
		}
		in.stats.packetsLost.Add(int64(lost))
		in.fill(lost, int(min(gap, int64(maxGapFrames*in.rate/framesPerSec))), payload)
	}
	in.started = true
	in.nextSeq = seq + 1
	n := in.decode(payload)
	in.nextTS = ts + uint32(n*in.clock/in.rate)
	if n > 0 {
		in.lastLen = n
	}
}

// decode decodes one payload and emits it; it returns the samples decoded.
// A payload that does not decode counts as lost: the next packet's
// timestamp gap fills its time with silence.
func (in *inbound) decode(payload []byte) int {
	if in.dec == nil {
		out := audio.AppendUlawSamples(in.pcm[:0], payload)
		in.pcm = out[:cap(out)]
		in.emit(out)
		return len(out)
	}
	if len(payload) == 0 {
		return 0
	}
	n, err := in.dec.Decode(payload, in.pcm)
	if err != nil {
		return 0
	}
	in.emit(in.pcm[:n])
	return n
}

// fill emits gap samples for lost packets before payload: Opus PLC for
// short losses, with the last lost frame recovered from payload's in-band
// FEC where it has one; silence otherwise.
func (in *inbound) fill(lost, gap int, payload []byte) {
	if in.dec != nil && lost > 0 && gap <= maxPLCFrames*in.rate/framesPerSec {
		if r := gap % (in.rate / 400); r > 0 { // PLC and FEC take multiples of 2.5 ms
			in.silence(r)
			gap -= r
		}
		for gap > 0 {
			chunk := min(gap, in.rate/framesPerSec)
			buf := in.pcm[:chunk]
			var err error
			if chunk == gap && len(payload) > 0 {
				err = in.dec.DecodeFEC(payload, buf)
			} else {
				err = in.dec.DecodePLC(buf)
			}
			if err != nil {
				clear(buf)
			}
			in.emit(buf)
			gap -= chunk
		}
		return
	}
	in.silence(gap)
}

func (in *inbound) silence(n int) {
	for n > 0 {
		k := min(n, len(in.zero))
		in.emit(in.zero[:k])
		n -= k
	}
}

// emit resamples samples to the Sink rate and cuts them into frames.
func (in *inbound) emit(samples []int16) {
	s := samples
	if in.rs != nil {
		in.rsOut = in.rs.Process(samples, in.rsOut[:0])
		s = in.rsOut
	}
	for len(s) > 0 {
		k := copy(in.frame[in.n:], s)
		in.n += k
		s = s[k:]
		if in.n == len(in.frame) {
			if in.sink != nil {
				in.sink.WriteFrame(in.frame)
			}
			in.stats.framesIn.Add(1)
			in.n = 0
		}
	}
}
