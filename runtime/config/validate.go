package config

import (
	"errors"
	"fmt"
	"net"
	"strings"
	"time"
)

// Validate reports every invalid setting at once.
func (c *Config) Validate() error {
	var errs []error
	bad := func(key, format string, args ...any) {
		errs = append(errs, fmt.Errorf("config: %s (%s): %s", key, envOf(key), fmt.Sprintf(format, args...)))
	}
	if c.Port < 1 || c.Port > 65535 {
		bad("port", "must be between 1 and 65535, not %d", c.Port)
	}
	if u := c.STUNServerURL; u != "" && !strings.HasPrefix(u, "stun:") && !strings.HasPrefix(u, "stuns:") {
		bad("stun_server_url", "must start with stun: or stuns:, not %q", u)
	}
	if u := c.OpenAI.BaseURL; u != "" && !strings.HasPrefix(u, "http://") && !strings.HasPrefix(u, "https://") {
		bad("openai.base_url", "must be an http:// or https:// URL, not %q", u)
	}
	if c.OpenAI.Model == "" {
		bad("openai.model", "must not be empty")
	}
	if c.DataDir == "" {
		bad("data_dir", "must not be empty")
	}
	if u := c.DatabaseURL.Reveal(); u != "" && !strings.HasPrefix(u, "postgres://") && !strings.HasPrefix(u, "postgresql://") {
		bad("database_url", "must be a postgres:// or postgresql:// URL")
	}
	if u := c.BusURL.Reveal(); u != "" {
		for _, one := range strings.Split(u, ",") {
			if one = strings.TrimSpace(one); !strings.HasPrefix(one, "nats://") && !strings.HasPrefix(one, "tls://") {
				bad("bus_url", "must be nats:// or tls:// URLs, comma-separated")
				break
			}
		}
	}
	if c.AgentsDir == "" {
		bad("agents_dir", "must not be empty")
	}
	if c.DefaultAgent == "" {
		bad("default_agent", "must not be empty")
	}
	if c.HTTP.BodyLimit < 1 {
		bad("http.body_limit", "must be positive")
	}
	if c.HTTP.UploadLimit < 1 {
		bad("http.upload_limit", "must be positive")
	}
	if c.HTTP.RateLimit < 0 {
		bad("http.rate_limit", "must not be negative")
	}
	if c.HTTP.MaxConnsPerIP < 0 {
		bad("http.max_conns_per_ip", "must not be negative")
	}
	for _, p := range strings.Split(c.HTTP.TrustedProxies, ",") {
		if p = strings.TrimSpace(p); p == "" {
			continue
		}
		if _, err := parsePrefix(p); err != nil {
			bad("http.trusted_proxies", "%q is not an IP address or CIDR", p)
		}
	}
	if (c.TLS.CertFile == "") != (c.TLS.KeyFile == "") {
		bad("tls.cert_file", "set both tls.cert_file and tls.key_file, or neither")
	}
	if s := c.Auth.TokenSecret.Reveal(); s != "" && len(s) < 32 {
		bad("auth.token_secret", "must have at least 32 bytes (for example: openssl rand -hex 32)")
	}
	if u := c.WebRTC.TURNURL; u != "" && !strings.HasPrefix(u, "turn:") && !strings.HasPrefix(u, "turns:") {
		bad("webrtc.turn_url", "must start with turn: or turns:, not %q", u)
	}
	w := c.WebRTC
	switch {
	case w.UDPPortMin < 0 || w.UDPPortMin > 65535 || w.UDPPortMax < 0 || w.UDPPortMax > 65535:
		bad("webrtc.udp_port_min", "ports must be between 0 and 65535")
	case (w.UDPPortMin == 0) != (w.UDPPortMax == 0):
		bad("webrtc.udp_port_min", "set both webrtc.udp_port_min and webrtc.udp_port_max, or neither")
	case w.UDPPortMin > w.UDPPortMax:
		bad("webrtc.udp_port_min", "must not be above webrtc.udp_port_max (%d > %d)", w.UDPPortMin, w.UDPPortMax)
	}
	for _, ip := range w.NATIPs() {
		if net.ParseIP(ip) == nil {
			bad("webrtc.nat_1to1_ips", "%q is not an IP address", ip)
		}
	}
	if c.Signaling.MaxPayload < 1024 {
		bad("signaling.max_payload", "must be at least 1024 bytes")
	}
	if c.Signaling.EventRate < 0 {
		bad("signaling.event_rate", "must not be negative (0 turns the limit off)")
	}
	if c.Signaling.ByteRate < 0 {
		bad("signaling.byte_rate", "must not be negative (0 turns the limit off)")
	}
	for _, t := range []struct {
		key string
		d   time.Duration
	}{
		{"http.read_timeout", c.HTTP.ReadTimeout},
		{"http.write_timeout", c.HTTP.WriteTimeout},
		{"http.shutdown_timeout", c.HTTP.ShutdownTimeout},
		{"plugins.start_timeout", c.Plugins.StartTimeout},
		{"plugins.request_timeout", c.Plugins.RequestTimeout},
		{"call.media_timeout", c.Calls.MediaTimeout},
		{"call.disconnect_grace", c.Calls.DisconnectGrace},
		{"call.ring_timeout", c.Calls.RingTimeout},
		{"call.max_duration", c.Calls.MaxDuration},
	} {
		if t.d <= 0 {
			bad(t.key, "must be a positive duration such as 30s")
		}
	}
	if id := c.Instance.ID; len(id) > 128 || strings.ContainsFunc(id, func(r rune) bool { return r <= ' ' || r == 0x7f }) {
		bad("instance.id", "must be at most 128 characters without spaces or control characters")
	}
	if l := c.Instance.Lease; l < 3*time.Second || l > 10*time.Minute {
		bad("instance.lease", "must be from 3s to 10m, not %v", l)
	}
	if _, err := ParseRetention(c.Retention); err != nil {
		bad("retention", "%v", err)
	}
	if c.Plugins.Nice < 0 || c.Plugins.Nice > 19 {
		bad("plugins.nice", "must be from 0 to 19, not %d", c.Plugins.Nice)
	}
	c.Admission.validate(bad)
	c.Webhooks.validate(bad)
	if a := c.Debug.Addr; a != "" && !loopbackAddr(a) {
		bad("debug.addr", "must be a loopback host:port such as 127.0.0.1:6060 (the profiles have no authentication), not %q", a)
	}
	switch strings.ToLower(c.Log.Level) {
	case "debug", "info", "warn", "error":
	default:
		bad("log.level", "must be debug, info, warn or error, not %q", c.Log.Level)
	}
	switch c.Log.Format {
	case "text", "json":
	default:
		bad("log.format", "must be text or json, not %q", c.Log.Format)
	}
	return errors.Join(errs...)
}

// loopbackAddr reports whether a is host:port with a loopback host.
func loopbackAddr(a string) bool {
	host, port, err := net.SplitHostPort(a)
	if err != nil || port == "" {
		return false
	}
	if host == "localhost" {
		return true
	}
	ip := net.ParseIP(host)
	return ip != nil && ip.IsLoopback()
}

func envOf(key string) string {
	for _, s := range Settings {
		if s.Key == key {
			return s.Env
		}
	}
	return key
}
