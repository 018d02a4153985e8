package api

import (
	"net/http"

	"github.com/gofiber/fiber/v2"
)

// defaultSTUN are the servers the original system always offered after
// STUN_SERVER_URL.
var defaultSTUN = []string{
	"stun:stun.l.google.com:19302",
	"stun:stun1.l.google.com:19302",
	"stun:stun2.l.google.com:19302",
}

type iceServer struct {
	URLs       string `json:"urls"`
	Username   string `json:"username,omitempty"`
	Credential string `json:"credential,omitempty"`
}

type rtcConfig struct {
	ICEServers           []iceServer `json:"iceServers"`
	ICECandidatePoolSize int         `json:"iceCandidatePoolSize"`
	ICETransportPolicy   string      `json:"iceTransportPolicy"`
	BundlePolicy         string      `json:"bundlePolicy"`
	RTCPMuxPolicy        string      `json:"rtcpMuxPolicy"`
}

// iceServers puts the configured STUN server first, then the original's
// defaults, each once.
func iceServers(configured string) []iceServer {
	seen := map[string]bool{}
	var out []iceServer
	for _, u := range append([]string{configured}, defaultSTUN...) {
		if u == "" || seen[u] {
			continue
		}
		seen[u] = true
		out = append(out, iceServer{URLs: u})
	}
	return out
}

// iceServers are the STUN servers and, when configured, the TURN server
// with its credentials (a client cannot relay through TURN without them).
func (s *server) iceServers() []iceServer {
	out := iceServers(s.cfg.STUNServerURL)
	if w := s.cfg.WebRTC; w.TURNURL != "" {
		out = append(out, iceServer{URLs: w.TURNURL, Username: w.TURNUsername, Credential: w.TURNCredential.Reveal()})
	}
	return out
}

func (s *server) rtcConfig(c *fiber.Ctx) error {
	return ok(c, http.StatusOK, fiber.Map{"config": rtcConfig{
		ICEServers:           s.iceServers(),
		ICECandidatePoolSize: 10,
		ICETransportPolicy:   "all",
		BundlePolicy:         "max-bundle",
		RTCPMuxPolicy:        "require",
	}})
}
