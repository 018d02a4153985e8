package media

import (
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/pion/webrtc/v4"
	"github.com/stretchr/testify/require"
)

func TestConfigValidate(t *testing.T) {
	tests := []struct {
		name string
		cfg  Config
		bad  []string // parts of the error message, empty when valid
	}{
		{"zero", Config{}, nil},
		{"full", Config{
			ICEServers: []webrtc.ICEServer{{URLs: []string{"stun:stun.example.org:3478"}}},
			UDPPortMin: 40000, UDPPortMax: 40100, NAT1To1IPs: []string{"203.0.113.7", "2001:db8::1"},
		}, nil},
		{"half port range", Config{UDPPortMin: 40000}, []string{"udp port range"}},
		{"inverted port range", Config{UDPPortMin: 5, UDPPortMax: 4}, []string{"udp port range"}},
		{"every problem at once", Config{
			ICEServers: []webrtc.ICEServer{{}},
			UDPPortMax: 9, NAT1To1IPs: []string{"example.org"},
		}, []string{"udp port range", `"example.org"`, "ice server 0"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := tt.cfg.Validate()
			if len(tt.bad) == 0 {
				require.NoError(t, err)
				return
			}
			require.ErrorIs(t, err, ErrInvalidConfig)
			for _, b := range tt.bad {
				require.Contains(t, err.Error(), b)
			}
			_, err = NewEngine(tt.cfg)
			require.ErrorIs(t, err, ErrInvalidConfig)
		})
	}
}

// TestEngineCandidates checks that the ICE settings reach the candidates
// the agent trickles.
func TestEngineCandidates(t *testing.T) {
	tests := []struct {
		name  string
		cfg   Config
		check func(t *testing.T, c webrtc.ICECandidateInit)
	}{
		{"loopback", Config{Loopback: true}, func(t *testing.T, c webrtc.ICECandidateInit) {
			require.Contains(t, c.Candidate, " 127.0.0.1 ")
			require.Contains(t, c.Candidate, " udp ")
		}},
		{"port range", Config{Loopback: true, UDPPortMin: 41000, UDPPortMax: 41009}, func(t *testing.T, c webrtc.ICECandidateInit) {
			f := strings.Fields(c.Candidate)
			require.GreaterOrEqual(t, len(f), 6)
			require.Regexp(t, `^4100\d$`, f[5])
		}},
		{"nat 1:1", Config{Loopback: true, NAT1To1IPs: []string{"203.0.113.7"}}, func(t *testing.T, c webrtc.ICECandidateInit) {
			require.Contains(t, c.Candidate, " 203.0.113.7 ")
			require.Contains(t, c.Candidate, " typ host")
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			e, err := NewEngine(tt.cfg)
			require.NoError(t, err)
			var mu sync.Mutex
			var got []webrtc.ICECandidateInit
			peer, err := e.NewPeer(PeerHandlers{OnCandidate: func(c webrtc.ICECandidateInit) {
				mu.Lock()
				defer mu.Unlock()
				got = append(got, c)
			}})
			require.NoError(t, err)
			defer func() { require.NoError(t, peer.Close()) }()
			c := newClient(t, clientOpus)
			offer, err := c.pc.CreateOffer(nil)
			require.NoError(t, err)
			_, err = peer.Answer(offer)
			require.NoError(t, err)
			peer.Trickle()
			require.Eventually(t, func() bool {
				mu.Lock()
				defer mu.Unlock()
				return len(got) > 0
			}, waitLong, 5*time.Millisecond)
			mu.Lock()
			defer mu.Unlock()
			for _, c := range got {
				tt.check(t, c)
			}
		})
	}
	verifyNoLeaks(t)
}

func TestStateString(t *testing.T) {
	for s, want := range map[State]string{
		StateUnknown: "unknown", StateNew: "new", StateConnecting: "connecting", StateConnected: "connected",
		StateDisconnected: "disconnected", StateFailed: "failed", StateClosed: "closed", State(99): "unknown",
	} {
		require.Equal(t, want, s.String())
	}
	require.Equal(t, StateConnected, stateOf(webrtc.PeerConnectionStateConnected))
	require.Equal(t, StateUnknown, stateOf(webrtc.PeerConnectionStateUnknown))
}
