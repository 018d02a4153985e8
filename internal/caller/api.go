package caller

import (
	"github.com/pion/interceptor"
	"github.com/pion/webrtc/v4"

	"github.com/parleyhq/parley/internal/loopback"
)

// Opus is the one codec callers offer and send, payload type 111.
var Opus = webrtc.RTPCodecCapability{
	MimeType: webrtc.MimeTypeOpus, ClockRate: 48000, Channels: 2, SDPFmtpLine: "minptime=10;useinbandfec=1",
}

// NewAPI is the Pion set-up of the benchmarks' callers: Opus only, RTCP
// reports (so the runtime learns our reception and we learn its), and ICE
// on loopback only (loopback.NewAPI).
func NewAPI() (*webrtc.API, error) {
	me := &webrtc.MediaEngine{}
	if err := me.RegisterCodec(webrtc.RTPCodecParameters{RTPCodecCapability: Opus, PayloadType: 111}, webrtc.RTPCodecTypeAudio); err != nil {
		return nil, err
	}
	ir := &interceptor.Registry{}
	if err := webrtc.ConfigureRTCPReports(ir); err != nil {
		return nil, err
	}
	return loopback.NewAPI(me, ir)
}
