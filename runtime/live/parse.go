package live

import (
	"math"

	"github.com/pion/webrtc/v4"

	"github.com/parleyhq/parley/runtime/signaling"
)

// maxSDP bounds an offer's SDP; a real audio offer is a few kilobytes.
const maxSDP = 64 << 10

// parseOffer checks an offer payload, {type: "offer", sdp}.
func parseOffer(offer map[string]any) (webrtc.SessionDescription, error) {
	if t, _ := offer["type"].(string); t != "offer" {
		return webrtc.SessionDescription{}, signaling.Errorf(signaling.CodeInvalidPayload, `offer: type must be "offer"`)
	}
	sdp, _ := offer["sdp"].(string)
	if sdp == "" || len(sdp) > maxSDP {
		return webrtc.SessionDescription{}, signaling.Errorf(signaling.CodeInvalidPayload, "offer: sdp must be a string of 1 to %d bytes", maxSDP)
	}
	return webrtc.SessionDescription{Type: webrtc.SDPTypeOffer, SDP: sdp}, nil
}

// parseCandidate checks an RTCIceCandidateInit payload, {candidate,
// sdpMid?, sdpMLineIndex?, usernameFragment?}.
func parseCandidate(c map[string]any) (webrtc.ICECandidateInit, error) {
	bad := func(what string) (webrtc.ICECandidateInit, error) {
		return webrtc.ICECandidateInit{}, signaling.Errorf(signaling.CodeInvalidPayload, "ice-candidate: %s", what)
	}
	var out webrtc.ICECandidateInit
	s, ok := c["candidate"].(string)
	if !ok {
		return bad("candidate.candidate must be a string")
	}
	if len(s) > 1024 {
		return bad("candidate.candidate is too long")
	}
	out.Candidate = s
	switch v := c["sdpMid"].(type) {
	case nil:
	case string:
		out.SDPMid = &v
	default:
		return bad("candidate.sdpMid must be a string or null")
	}
	switch v := c["sdpMLineIndex"].(type) {
	case nil:
	case float64:
		if v < 0 || v > math.MaxUint16 || v != math.Trunc(v) {
			return bad("candidate.sdpMLineIndex must be a small non-negative integer")
		}
		i := uint16(v)
		out.SDPMLineIndex = &i
	default:
		return bad("candidate.sdpMLineIndex must be a number or null")
	}
	switch v := c["usernameFragment"].(type) {
	case nil:
	case string:
		out.UsernameFragment = &v
	default:
		return bad("candidate.usernameFragment must be a string or null")
	}
	return out, nil
}

// candidatePayload is an RTCIceCandidateInit as a browser's
// addIceCandidate takes it.
func candidatePayload(c webrtc.ICECandidateInit) map[string]any {
	out := map[string]any{"candidate": c.Candidate, "sdpMid": nil, "sdpMLineIndex": nil}
	if c.SDPMid != nil {
		out["sdpMid"] = *c.SDPMid
	}
	if c.SDPMLineIndex != nil {
		out["sdpMLineIndex"] = int(*c.SDPMLineIndex)
	}
	if c.UsernameFragment != nil {
		out["usernameFragment"] = *c.UsernameFragment
	}
	return out
}
