// Package config loads the runtime's own settings: defaults, then an
// optional YAML file, then a .env file, then the environment, then
// command-line flags, each overriding the one before. The original system's
// variables (PORT, OPENAI_API_KEY, OPENAI_MODEL, STUN_SERVER_URL,
// CORS_ORIGIN) keep their names and defaults; new ones start with PARLEY_.
package config

import (
	"fmt"
	"log/slog"
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
	AgentsDir     string    `koanf:"agents_dir"`
	DefaultAgent  string    `koanf:"default_agent"`
	OpenAI        OpenAI    `koanf:"openai"`
	HTTP          HTTP      `koanf:"http"`
	Plugins       Plugins   `koanf:"plugins"`
	WebRTC        WebRTC    `koanf:"webrtc"`
	Calls         Calls     `koanf:"call"`
	Signaling     Signal    `koanf:"signaling"`
	Admission     Admission `koanf:"admission"`
	VAD           VAD       `koanf:"vad"`
	Log           Log       `koanf:"log"`
}

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

// Calls bounds how long a realtime call waits for its caller.
type Calls struct {
	MediaTimeout    time.Duration `koanf:"media_timeout"`
	DisconnectGrace time.Duration `koanf:"disconnect_grace"`
}

// VAD locates the Silero model and the ONNX Runtime library.
type VAD struct {
	Dir string `koanf:"dir"`
}

// Signal tunes the Socket.IO server.
type Signal struct {
	MaxPayload int `koanf:"max_payload"`
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
	ReadTimeout     time.Duration `koanf:"read_timeout"`
	WriteTimeout    time.Duration `koanf:"write_timeout"`
	ShutdownTimeout time.Duration `koanf:"shutdown_timeout"`
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
