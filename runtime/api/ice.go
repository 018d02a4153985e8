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
	URLs string `json:"urls"`
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

func (s *server) rtcConfig(c *fiber.Ctx) error {
	return ok(c, http.StatusOK, fiber.Map{"config": rtcConfig{
		ICEServers:           iceServers(s.cfg.STUNServerURL),
		ICECandidatePoolSize: 10,
		ICETransportPolicy:   "all",
		BundlePolicy:         "max-bundle",
		RTCPMuxPolicy:        "require",
	}})
}
