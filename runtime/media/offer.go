package media

import (
	"fmt"
	"strings"

	"github.com/pion/webrtc/v4"
)

// offeredCodec returns the codec the agent's track uses for offer: Opus
// when an active audio section offers it, PCMU otherwise. An offer with
// neither is an error wrapping ErrNoCodec.
func offeredCodec(offer webrtc.SessionDescription) (string, error) {
	sd, err := offer.Unmarshal()
	if err != nil {
		return "", fmt.Errorf("parse offer: %w", err)
	}
	var hasOpus, hasPCMU bool
	for _, m := range sd.MediaDescriptions {
		if !strings.EqualFold(m.MediaName.Media, "audio") || m.MediaName.Port.Value == 0 {
			continue // not audio, or a rejected section
		}
		// Payload type 0 is PCMU even without an rtpmap (RFC 3551).
		names := map[string]string{"0": "pcmu/8000"}
		for _, a := range m.Attributes {
			if a.Key != "rtpmap" {
				continue
			}
			if pt, enc, ok := strings.Cut(a.Value, " "); ok {
				names[pt] = strings.ToLower(strings.TrimSpace(enc))
			}
		}
		for _, f := range m.MediaName.Formats {
			switch n := names[f]; {
			case strings.HasPrefix(n, "opus/48000"):
				hasOpus = true
			case n == "pcmu/8000" || n == "pcmu/8000/1":
				hasPCMU = true
			}
		}
	}
	switch {
	case hasOpus:
		return CodecOpus, nil
	case hasPCMU:
		return CodecPCMU, nil
	default:
		return "", fmt.Errorf("answer: %w", ErrNoCodec)
	}
}
