// Package config loads the runtime's own settings: defaults, then an
// optional YAML file, then a .env file, then the environment, then
// command-line flags, each overriding the one before. The original system's
// variables (PORT, OPENAI_API_KEY, OPENAI_MODEL, STUN_SERVER_URL,
// CORS_ORIGIN) keep their names and defaults; new ones start with PARLEY_.
package config

import (
	"fmt"
	"log/slog"
	"net/netip"
	"strconv"
	"strings"
	"time"
)

// Config is the runtime's settings tree. Keys are snake_case in the YAML
// file; Settings maps each leaf to its variable and flag.
type Config struct {
	Port          int       `koanf:"port"`
	Host          string    `koanf:"host"`
	STUNServerURL string    `koanf:"stun_server_url"`
	CORSOrigin    string    `koanf:"cors_origin"`
	DataDir       string    `koanf:"data_dir"`
	DatabaseURL   Secret    `koanf:"database_url"`
	BusURL        Secret    `koanf:"bus_url"`
	Instance      Instance  `koanf:"instance"`
	AgentsDir     string    `koanf:"agents_dir"`
	DefaultAgent  string    `koanf:"default_agent"`
	OpenAI        OpenAI    `koanf:"openai"`
	HTTP          HTTP      `koanf:"http"`
	Plugins       Plugins   `koanf:"plugins"`
	WebRTC        WebRTC    `koanf:"webrtc"`
	Calls         Calls     `koanf:"call"`
	Signaling     Signal    `koanf:"signaling"`
	Retention     string    `koanf:"retention"` // days; see RetentionPeriod
	Admission     Admission `koanf:"admission"`
	VAD           VAD       `koanf:"vad"`
	Log           Log       `koanf:"log"`
	Auth          Auth      `koanf:"auth"`
	TLS           TLS       `koanf:"tls"`
	Debug         Debug     `koanf:"debug"`
	Webhooks      Webhooks  `koanf:"webhooks"`
}

// Instance names this runtime among those sharing a store.
type Instance struct {
	// ID owns the calls this runtime holds; empty: made once into
	// instance.id in the data directory.
	ID    string        `koanf:"id"`
	Lease time.Duration `koanf:"lease"`
}

// Debug holds the operator's diagnostics.
type Debug struct {
	// Addr is the loopback address of a separate listener serving Go's
	// runtime profiles at /debug/pprof/; empty: off.
	Addr string `koanf:"addr"`
}

// Auth holds the credentials of key mode.
type Auth struct {
	APIKeys     Secret `koanf:"api_keys"`
	APIKeysFile string `koanf:"api_keys_file"`
	TokenSecret Secret `koanf:"token_secret"`
}

// TLS names the certificate the runtime serves HTTPS and WSS with.
type TLS struct {
	CertFile string `koanf:"cert_file"`
	KeyFile  string `koanf:"key_file"`
}

// Enabled reports whether the runtime serves TLS itself.
func (t TLS) Enabled() bool { return t.CertFile != "" }

// WebRTC says how the runtime's agent peer reaches callers.
type WebRTC struct {
	TURNURL        string `koanf:"turn_url"`
	TURNUsername   string `koanf:"turn_username"`
	TURNCredential Secret `koanf:"turn_credential"`
	UDPPortMin     int    `koanf:"udp_port_min"`
	UDPPortMax     int    `koanf:"udp_port_max"`
	NAT1To1IPs     string `koanf:"nat_1to1_ips"` // comma-separated
	Loopback       bool   `koanf:"loopback"`
}

// NATIPs returns the 1:1 NAT addresses, Validate has checked them.
func (w WebRTC) NATIPs() []string {
	var out []string
	for _, ip := range strings.Split(w.NAT1To1IPs, ",") {
		if ip = strings.TrimSpace(ip); ip != "" {
			out = append(out, ip)
		}
	}
	return out
}

// Calls bounds how long a realtime call waits for its caller, and how
// long any call lives.
type Calls struct {
	MediaTimeout    time.Duration `koanf:"media_timeout"`
	DisconnectGrace time.Duration `koanf:"disconnect_grace"`
	RingTimeout     time.Duration `koanf:"ring_timeout"`
	MaxDuration     time.Duration `koanf:"max_duration"`
}

// RetentionPeriod returns how long finished calls are kept: Retention in
// days ("30d" or "30"), 0 for ever. Validate has checked it.
func (c *Config) RetentionPeriod() time.Duration {
	d, _ := ParseRetention(c.Retention)
	return d
}

// maxRetentionDays bounds PARLEY_RETENTION (about 100 years).
const maxRetentionDays = 36500

// ParseRetention reads a retention in whole days: "30d", "30", or "",
// "0" and "off" for none.
func ParseRetention(s string) (time.Duration, error) {
	v := strings.TrimSpace(strings.ToLower(s))
	if v == "" || v == "0" || v == "0d" || v == "off" {
		return 0, nil
	}
	days, err := strconv.Atoi(strings.TrimSuffix(v, "d"))
	if err != nil || days < 0 || days > maxRetentionDays {
		return 0, fmt.Errorf("must be a number of days between 1 and %d, such as 30d or 30 (empty or 0: keep calls for ever), not %q", maxRetentionDays, s)
	}
	return time.Duration(days) * 24 * time.Hour, nil
}

// VAD locates the Silero model and the ONNX Runtime library.
type VAD struct {
	Dir string `koanf:"dir"`
}

// Signal tunes the Socket.IO server.
type Signal struct {
	MaxPayload int `koanf:"max_payload"`
	EventRate  int `koanf:"event_rate"`
	ByteRate   int `koanf:"byte_rate"`
}

// OpenAI holds what the OpenAI provider plugins share.
type OpenAI struct {
	APIKey  Secret `koanf:"api_key"`
	Model   string `koanf:"model"`
	BaseURL string `koanf:"base_url"`
}

// HTTP bounds what the REST API accepts.
type HTTP struct {
	BodyLimit       int           `koanf:"body_limit"`
	UploadLimit     int           `koanf:"upload_limit"`
	RateLimit       int           `koanf:"rate_limit"`
	TrustedProxies  string        `koanf:"trusted_proxies"` // comma-separated IPs and CIDRs
	MaxConnsPerIP   int           `koanf:"max_conns_per_ip"`
	ReadTimeout     time.Duration `koanf:"read_timeout"`
	WriteTimeout    time.Duration `koanf:"write_timeout"`
	ShutdownTimeout time.Duration `koanf:"shutdown_timeout"`
}

// Proxies returns the trusted proxies as prefixes; Validate has checked them.
func (h HTTP) Proxies() []netip.Prefix {
	var out []netip.Prefix
	for _, p := range strings.Split(h.TrustedProxies, ",") {
		if p = strings.TrimSpace(p); p == "" {
			continue
		}
		if pfx, err := parsePrefix(p); err == nil {
			out = append(out, pfx)
		}
	}
	return out
}

// parsePrefix reads an IP (a one-address prefix) or a CIDR.
func parsePrefix(s string) (netip.Prefix, error) {
	if strings.Contains(s, "/") {
		p, err := netip.ParsePrefix(s)
		return p.Masked(), err
	}
	a, err := netip.ParseAddr(s)
	if err != nil {
		return netip.Prefix{}, err
	}
	a = a.Unmap()
	return netip.PrefixFrom(a, a.BitLen()), nil
}

// Plugins tunes how provider plugins run.
type Plugins struct {
	Dir            string        `koanf:"dir"`
	StartTimeout   time.Duration `koanf:"start_timeout"`
	RequestTimeout time.Duration `koanf:"request_timeout"`
	Nice           int           `koanf:"nice"`
}

// Log chooses how the runtime logs.
type Log struct {
	Level  string `koanf:"level"`
	Format string `koanf:"format"`
}

// Addr is the listen address, host:port.
func (c *Config) Addr() string { return fmt.Sprintf("%s:%d", c.Host, c.Port) }

// SlogLevel returns the configured level; Validate has checked it.
func (c *Config) SlogLevel() slog.Level {
	var l slog.Level
	_ = l.UnmarshalText([]byte(c.Log.Level))
	return l
}
