package media

import (
	"encoding/binary"
	"errors"
	"fmt"
	"net"
	"net/netip"
	"strings"
	"testing"
	"time"

	"github.com/pion/webrtc/v4"
	"github.com/stretchr/testify/require"
)

func TestBlockedRemote(t *testing.T) {
	tests := []struct {
		addr              string
		blocked, loopback bool
	}{
		{"169.254.169.254", true, false},
		{"169.254.0.1", true, false},
		{"fe80::1", true, false},
		{"fd00:ec2::254", true, false},
		{"::ffff:169.254.169.254", true, false},
		{"0.0.0.0", true, false},
		{"::", true, false},
		{"224.0.0.251", true, false},
		{"ff02::fb", true, false},
		{"255.255.255.255", true, false},
		{"127.0.0.1", true, false},
		{"::1", true, false},
		{"127.0.0.1", false, true},
		{"169.254.169.254", true, true},
		{"192.168.1.20", false, false},
		{"10.0.0.5", false, false},
		{"203.0.113.7", false, false},
		{"2001:db8::1", false, false},
		{"fd00:ec2::253", false, false},
	}
	for _, tt := range tests {
		t.Run(fmt.Sprintf("%s loopback=%v", tt.addr, tt.loopback), func(t *testing.T) {
			require.Equal(t, tt.blocked, blockedRemote(netip.MustParseAddr(tt.addr), tt.loopback))
		})
	}
}

func TestRemoteAllowed(t *testing.T) {
	e, err := NewEngine(Config{})
	require.NoError(t, err)
	for cand, want := range map[string]bool{
		"candidate:1 1 udp 2130706431 203.0.113.7 5000 typ host":                          true,
		"a=candidate:1 1 udp 2130706431 203.0.113.7 5000 typ host":                        true,
		"candidate:1 1 udp 2130706431 169.254.169.254 80 typ host":                        false,
		"candidate:1 1 udp 1694498815 169.254.169.254 80 typ srflx raddr 0.0.0.0 rport 0": false,
		"candidate:1 1 udp 2130706431 4c1d7b1a-0e9e-4b1f.local 5000 typ host":             false,
		"candidate:1 1 udp 2130706431 metadata.google.internal 80 typ host":               false,
		"candidate:1 1 udp 2130706431 127.0.0.1 5000 typ host":                            false,
		"garbage": false,
	} {
		require.Equal(t, want, e.remoteAllowed(cand), cand)
	}
	sdp := "v=0\r\nm=audio 9 UDP/TLS/RTP/SAVPF 111\r\na=candidate:1 1 udp 2130706431 169.254.169.254 80 typ host\r\n" +
		"a=candidate:2 1 udp 2130706431 203.0.113.7 5000 typ host\r\na=candidate:3 1 udp 2130706431 fe80::1 5000 typ host\r\na=end-of-candidates\r\n"
	require.Equal(t, "v=0\r\nm=audio 9 UDP/TLS/RTP/SAVPF 111\r\na=candidate:2 1 udp 2130706431 203.0.113.7 5000 typ host\r\na=end-of-candidates\r\n", e.filterSDP(sdp))
}

// TestBlockedCandidatesGetNoPackets offers the agent peer candidates of a
// "trap" address, inside the offer and trickled, and checks that the
// agent never sends to it while the call connects over the others. In
// loopback mode the trap can only be a loopback address, so the test adds
// it to the blocked ones; the control run, without that, shows the agent
// would send STUN checks there.
func TestBlockedCandidatesGetNoPackets(t *testing.T) {
	for _, block := range []bool{false, true} {
		t.Run(fmt.Sprintf("blocked=%v", block), func(t *testing.T) {
			inSDP, trickled := listenTrap(t), listenTrap(t)
			e := newTestEngine(t)
			if block {
				trap := netip.MustParseAddr("127.0.0.3")
				e.blockRemote = func(a netip.Addr) bool { return a == trap || blockedRemote(a, true) }
			}
			c := newClient(t, clientOpus)
			peer, err := e.NewPeer(PeerHandlers{OnCandidate: c.onCandidate})
			require.NoError(t, err)
			t.Cleanup(func() { _ = peer.Close() })

			offer := c.offer(peer)
			offer.SDP = strings.Replace(offer.SDP, "a=mid:0\r\n", "a=mid:0\r\na="+trapCandidate(inSDP)+"\r\n", 1)
			require.Contains(t, offer.SDP, "127.0.0.3")
			mid := "0"
			err = peer.AddCandidate(webrtc.ICECandidateInit{Candidate: trapCandidate(trickled), SDPMid: &mid})
			if block {
				require.True(t, errors.Is(err, ErrCandidateBlocked), "trickled trap candidate: %v", err)
			} else {
				require.NoError(t, err)
			}
			answer, err := peer.Answer(offer)
			require.NoError(t, err)
			require.NoError(t, c.pc.SetRemoteDescription(answer))
			c.finish(peer)

			for _, trap := range []*net.UDPConn{inSDP, trickled} {
				got := stunRequests(trap, time.Now().Add(2*time.Second))
				if block {
					require.Zero(t, got, "STUN checks sent to blocked %s", trap.LocalAddr())
				} else {
					require.NotZero(t, got, "control: no STUN check reached %s", trap.LocalAddr())
				}
			}
		})
	}
	verifyNoLeaks(t)
}

func listenTrap(t *testing.T) *net.UDPConn {
	t.Helper()
	conn, err := net.ListenUDP("udp4", &net.UDPAddr{IP: net.IPv4(127, 0, 0, 3)})
	require.NoError(t, err)
	t.Cleanup(func() { _ = conn.Close() })
	return conn
}

func trapCandidate(trap *net.UDPConn) string {
	return fmt.Sprintf("candidate:999 1 udp 2130706431 127.0.0.3 %d typ host", trap.LocalAddr().(*net.UDPAddr).Port)
}

// stunRequests counts the STUN messages trap receives until deadline (in
// the control run, it returns at the first).
func stunRequests(trap *net.UDPConn, deadline time.Time) int {
	_ = trap.SetReadDeadline(deadline)
	buf := make([]byte, 1500)
	n := 0
	for {
		k, _, err := trap.ReadFromUDP(buf)
		if err != nil {
			return n
		}
		// A STUN message: first two bits zero, then the magic cookie.
		if k >= 20 && buf[0]&0xc0 == 0 && binary.BigEndian.Uint32(buf[4:8]) == 0x2112A442 {
			return n + 1
		}
	}
}
