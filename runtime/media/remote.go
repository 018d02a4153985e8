package media

import (
	"net/netip"
	"strings"
)

// imdsV6 is the AWS instance metadata service's IPv6 address.
var imdsV6 = netip.MustParseAddr("fd00:ec2::254")

// blockedRemote reports whether the agent peer must never send to addr, a
// caller's candidate address: unspecified, link-local (169.254.0.0/16,
// which holds the cloud metadata address 169.254.169.254, and fe80::/10),
// multicast, broadcast, the AWS metadata service's fd00:ec2::254, and
// loopback unless loopback is allowed. A candidate could otherwise make
// the runtime send STUN checks to services on its own host or network.
func blockedRemote(addr netip.Addr, loopback bool) bool {
	addr = addr.Unmap()
	switch {
	case !addr.IsValid(), addr.IsUnspecified(), addr.IsLinkLocalUnicast(), addr.IsMulticast(),
		addr == netip.AddrFrom4([4]byte{255, 255, 255, 255}), addr == imdsV6:
		return true
	case addr.IsLoopback():
		return !loopback
	}
	return false
}

// candidateAddr returns the connection address of an ICE candidate line
// ("candidate:foundation component transport priority address port typ
// type ...", with or without "a="), and whether it is an IP address.
func candidateAddr(line string) (netip.Addr, bool) {
	f := strings.Fields(strings.TrimPrefix(strings.TrimSpace(line), "a="))
	if len(f) < 6 || !strings.HasPrefix(f[0], "candidate:") {
		return netip.Addr{}, false
	}
	addr, err := netip.ParseAddr(f[4])
	return addr, err == nil
}

// remoteAllowed reports whether the agent peer may use a caller's
// candidate: its address must be an IP (a host name, such as a browser's
// mDNS .local name, would be resolved by the runtime; the caller becomes
// peer-reflexive instead once its checks arrive) and not blocked.
func (e *Engine) remoteAllowed(candidate string) bool {
	addr, ok := candidateAddr(candidate)
	return ok && !e.blockRemote(addr)
}

// filterSDP removes from an offer the candidate lines the agent peer may
// not use.
func (e *Engine) filterSDP(sdp string) string {
	if !strings.Contains(sdp, "a=candidate:") {
		return sdp
	}
	lines := strings.SplitAfter(sdp, "\n")
	out := lines[:0]
	for _, l := range lines {
		if strings.HasPrefix(l, "a=candidate:") && !e.remoteAllowed(l) {
			continue
		}
		out = append(out, l)
	}
	return strings.Join(out, "")
}
