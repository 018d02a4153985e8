package api

import (
	"net/netip"
	"strings"

	"github.com/gofiber/fiber/v2"
)

const clientIPKey = "parley.client_ip"

// proxies are the reverse proxies whose X-Forwarded-For is believed
// (PARLEY_TRUSTED_PROXIES).
type proxies []netip.Prefix

func (p proxies) trusted(a netip.Addr) bool {
	a = a.Unmap()
	for _, pfx := range p {
		if pfx.Contains(a) {
			return true
		}
	}
	return false
}

// client returns the client's address: the TCP peer, unless that peer is a
// trusted proxy, in which case X-Forwarded-For is read from the right (each
// proxy appends the address it saw) past every trusted proxy. The leftmost
// entries are whatever the client wrote and are never believed on their own.
func (p proxies) client(remote netip.Addr, xff []string) netip.Addr {
	remote = remote.Unmap()
	if len(p) == 0 || !p.trusted(remote) {
		return remote
	}
	client := remote
	for i := len(xff) - 1; i >= 0; i-- {
		hops := strings.Split(xff[i], ",")
		for j := len(hops) - 1; j >= 0; j-- {
			a, err := netip.ParseAddr(strings.TrimSpace(hops[j]))
			if err != nil {
				// Garbage from the client's side of the chain: stop at the
				// last address a trusted proxy vouched for.
				return client
			}
			client = a.Unmap()
			if !p.trusted(client) {
				return client
			}
		}
	}
	return client
}

// withClientIP records the client's address (see proxies.client) for the
// rate limiter, the access log and the handlers (clientIP).
func withClientIP(p proxies) fiber.Handler {
	return func(c *fiber.Ctx) error {
		remote, _ := netip.AddrFromSlice(c.Context().RemoteIP())
		var xff []string
		if len(p) > 0 {
			c.Request().Header.VisitAll(func(k, v []byte) {
				if strings.EqualFold(string(k), fiber.HeaderXForwardedFor) {
					xff = append(xff, string(v))
				}
			})
		}
		c.Locals(clientIPKey, p.client(remote, xff).String())
		return c.Next()
	}
}

// clientIP returns the address withClientIP found.
func clientIP(c *fiber.Ctx) string {
	if ip, ok := c.Locals(clientIPKey).(string); ok {
		return ip
	}
	return c.IP()
}
