package media

import (
	"testing"

	"github.com/pion/webrtc/v4"
	"github.com/stretchr/testify/require"
)

func sdpWith(media ...string) webrtc.SessionDescription {
	s := "v=0\r\no=- 1 1 IN IP4 127.0.0.1\r\ns=-\r\nt=0 0\r\n"
	for _, m := range media {
		s += m
	}
	return webrtc.SessionDescription{Type: webrtc.SDPTypeOffer, SDP: s}
}

func TestOfferedCodec(t *testing.T) {
	const (
		opusAudio = "m=audio 9 UDP/TLS/RTP/SAVPF 111 0\r\na=rtpmap:111 opus/48000/2\r\na=rtpmap:0 PCMU/8000\r\n"
		pcmuFirst = "m=audio 9 UDP/TLS/RTP/SAVPF 0 109\r\na=rtpmap:0 PCMU/8000\r\na=rtpmap:109 OPUS/48000/2\r\n"
		staticPT0 = "m=audio 9 RTP/AVP 0\r\n"
		g722      = "m=audio 9 UDP/TLS/RTP/SAVPF 9\r\na=rtpmap:9 G722/8000\r\n"
		rejected  = "m=audio 0 UDP/TLS/RTP/SAVPF 111\r\na=rtpmap:111 opus/48000/2\r\n"
		video     = "m=video 9 UDP/TLS/RTP/SAVPF 96\r\na=rtpmap:96 VP8/90000\r\n"
		unlisted  = "m=audio 9 UDP/TLS/RTP/SAVPF 9\r\na=rtpmap:9 G722/8000\r\na=rtpmap:111 opus/48000/2\r\n"
	)
	tests := []struct {
		name  string
		offer webrtc.SessionDescription
		want  string
	}{
		{"opus and PCMU", sdpWith(opusAudio), CodecOpus},
		{"PCMU listed first, opus upper case", sdpWith(pcmuFirst), CodecOpus},
		{"static payload type 0", sdpWith(staticPT0), CodecPCMU},
		{"video then audio", sdpWith(video, staticPT0), CodecPCMU},
		{"G722 only", sdpWith(g722), ""},
		{"rejected audio section", sdpWith(rejected), ""},
		{"video only", sdpWith(video), ""},
		{"rtpmap not in the format list", sdpWith(unlisted), ""},
		{"no media", sdpWith(), ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := offeredCodec(tt.offer)
			if tt.want == "" {
				require.ErrorIs(t, err, ErrNoCodec)
				return
			}
			require.NoError(t, err)
			require.Equal(t, tt.want, got)
		})
	}
	_, err := offeredCodec(webrtc.SessionDescription{Type: webrtc.SDPTypeOffer, SDP: "garbage"})
	require.Error(t, err)
	require.NotErrorIs(t, err, ErrNoCodec)
}
