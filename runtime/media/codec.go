package media

import (
	"fmt"
	"time"

	"gopkg.in/hraban/opus.v2"
)

// Codec facts shared by the writer, the reader and the engine.
const (
	frameDuration = 20 * time.Millisecond
	framesPerSec  = int(time.Second / frameDuration)

	opusRate = 48000
	// opusEncodeRate is the rate the agent's voice is encoded at. Opus
	// packets play at any decoder rate; 24 kHz keeps the whole band of
	// speech synthesisers (espeak 22.05 kHz, OpenAI 24 kHz) and halves
	// the resampling and encoding work of 48 kHz.
	opusEncodeRate  = 24000
	opusPayloadType = 111
	opusFmtp        = "minptime=10;useinbandfec=1"
	opusBitrate     = 32000
	opusMaxFrame    = 5760 // 120 ms at 48 kHz, the longest Opus packet
	opusMaxPacket   = 1275 // RFC 6716 3.2.1: longest Opus frame payload

	pcmuRate        = 8000
	pcmuPayloadType = 0

	// SinkRate is the sample rate of the frames a Sink receives.
	SinkRate = 16000
	// SinkFrameSamples is the length of one Sink frame: 20 ms at SinkRate.
	SinkFrameSamples = SinkRate / 50
)

// Codec names as Stats.Codec reports them.
const (
	CodecOpus = "opus"
	CodecPCMU = "PCMU"
)

// codecRate returns the RTP clock rate of a codec name.
func codecRate(codec string) int {
	if codec == CodecPCMU {
		return pcmuRate
	}
	return opusRate
}

// playerRate returns the sample rate the agent's voice is encoded at.
func playerRate(codec string) int {
	if codec == CodecPCMU {
		return pcmuRate
	}
	return opusEncodeRate
}

// opusEncoder encodes 20 ms mono frames for speech.
type opusEncoder struct {
	enc *opus.Encoder
	buf []byte
}

// newOpusEncoder returns an encoder taking input at rate (the agent's
// voice uses opusEncodeRate).
func newOpusEncoder(rate int) (*opusEncoder, error) {
	enc, err := opus.NewEncoder(rate, 1, opus.AppVoIP)
	if err != nil {
		return nil, fmt.Errorf("opus encoder: %w", err)
	}
	if err := enc.SetBitrate(opusBitrate); err != nil {
		return nil, fmt.Errorf("opus encoder: bitrate: %w", err)
	}

	// The answer advertises useinbandfec=1; carry FEC so a browser can
	// recover single losses.
	if err := enc.SetInBandFEC(true); err != nil {
		return nil, fmt.Errorf("opus encoder: fec: %w", err)
	}
	if err := enc.SetPacketLossPerc(5); err != nil {
		return nil, fmt.Errorf("opus encoder: loss: %w", err)
	}
	return &opusEncoder{enc: enc, buf: make([]byte, opusMaxPacket)}, nil
}

// encode returns the packet for one frame; it is valid until the next call.
func (e *opusEncoder) encode(frame []int16) ([]byte, error) {
	n, err := e.enc.Encode(frame, e.buf)
	if err != nil {
		return nil, fmt.Errorf("opus encode %d samples: %w", len(frame), err)
	}
	return e.buf[:n], nil
}

// opusSilencePacket returns the steady-state Opus packet for 20 ms of
// silence. A fresh encoder's first packets differ (they carry the start-up
// state), so it encodes a few frames and keeps the last.
func opusSilencePacket() ([]byte, error) {
	e, err := newOpusEncoder(opusEncodeRate)
	if err != nil {
		return nil, err
	}
	zero := make([]int16, opusEncodeRate/framesPerSec)
	var pkt []byte
	for range 5 {
		if pkt, err = e.encode(zero); err != nil {
			return nil, err
		}
	}
	return append([]byte(nil), pkt...), nil
}
