package media

import (
	"errors"
	"testing"

	"github.com/pion/webrtc/v4"
)

// pionOffer returns the SDP of a real offer: a Pion peer with one audio
// transceiver, as the Go test clients make.
func pionOffer(tb testing.TB) string {
	tb.Helper()
	pc, err := webrtc.NewPeerConnection(webrtc.Configuration{})
	if err != nil {
		tb.Fatal(err)
	}
	defer func() { _ = pc.Close() }()
	if _, err := pc.AddTransceiverFromKind(webrtc.RTPCodecTypeAudio); err != nil {
		tb.Fatal(err)
	}
	offer, err := pc.CreateOffer(nil)
	if err != nil {
		tb.Fatal(err)
	}
	return offer.SDP
}

// chromeOffer is the shape of an offer from Chrome's demo page (audio
// only, trimmed of candidates).
const chromeOffer = "v=0\r\no=- 4611731400430051336 2 IN IP4 127.0.0.1\r\ns=-\r\nt=0 0\r\n" +
	"a=group:BUNDLE 0\r\na=extmap-allow-mixed\r\na=msid-semantic: WMS stream\r\n" +
	"m=audio 9 UDP/TLS/RTP/SAVPF 111 63 9 0 8 13 110 126\r\nc=IN IP4 0.0.0.0\r\n" +
	"a=rtcp:9 IN IP4 0.0.0.0\r\na=ice-ufrag:Zx0b\r\na=ice-pwd:4v1pQ0nYcQ+5s8dG2XgkFv9j\r\n" +
	"a=ice-options:trickle\r\na=fingerprint:sha-256 6B:8B:5D:EA:59:04:20:23:29:C8:87:1C:CD:7A:6E:8F:2C:1E:25:D0:2B:96:D8:63:3D:1C:0A:32:14:9A:94:3F\r\n" +
	"a=setup:actpass\r\na=mid:0\r\na=sendrecv\r\na=msid:stream track\r\na=rtcp-mux\r\n" +
	"a=rtpmap:111 opus/48000/2\r\na=rtcp-fb:111 transport-cc\r\na=fmtp:111 minptime=10;useinbandfec=1\r\n" +
	"a=rtpmap:63 red/48000/2\r\na=fmtp:63 111/111\r\na=rtpmap:9 G722/8000\r\na=rtpmap:0 PCMU/8000\r\n" +
	"a=rtpmap:8 PCMA/8000\r\na=rtpmap:13 CN/8000\r\na=rtpmap:110 telephone-event/48000\r\n" +
	"a=rtpmap:126 telephone-event/8000\r\na=ssrc:1 cname:x\r\n"

// FuzzOfferedCodec checks the agent's reading of any offer SDP: a codec it
// can answer with, ErrNoCodec, or a parse error; and the same answer for
// the offer as Pion writes it back.
func FuzzOfferedCodec(f *testing.F) {
	f.Add(pionOffer(f))
	f.Add(chromeOffer)
	f.Add(sdpWith("m=audio 9 RTP/AVP 0\r\n").SDP)
	f.Add(sdpWith("m=audio 0 UDP/TLS/RTP/SAVPF 111\r\na=rtpmap:111 opus/48000/2\r\n").SDP)
	f.Add("")
	f.Fuzz(func(t *testing.T, sdp string) {
		offer := webrtc.SessionDescription{Type: webrtc.SDPTypeOffer, SDP: sdp}
		codec, err := offeredCodec(offer)
		if err != nil {
			if _, perr := offer.Unmarshal(); perr == nil && !errors.Is(err, ErrNoCodec) {
				t.Fatalf("parsed offer refused with %v, not ErrNoCodec", err)
			}
			return
		}
		if codec != CodecOpus && codec != CodecPCMU {
			t.Fatalf("codec %q", codec)
		}
		sd, _ := offer.Unmarshal()
		b, err := sd.Marshal()
		if err != nil {
			return // Pion reads some SDP it cannot write back
		}
		again, err := offeredCodec(webrtc.SessionDescription{Type: webrtc.SDPTypeOffer, SDP: string(b)})
		if err != nil || again != codec {
			t.Fatalf("%s from the offer, %q (%v) from Pion's rewrite of it:\n%q\n%q", codec, again, err, sdp, b)
		}
	})
}
