package config

import (
	"bytes"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
)

func TestDefaultsMatchTheOriginal(t *testing.T) {
	c, err := Load(Sources{})
	require.NoError(t, err)
	require.Equal(t, 3000, c.Port)
	require.Equal(t, "gpt-4o", c.OpenAI.Model)
	require.Equal(t, "stun:stun.l.google.com:19302", c.STUNServerURL)
	require.False(t, c.OpenAI.APIKey.IsSet(), "OPENAI_API_KEY must not be required")
	require.Equal(t, "default", c.DefaultAgent)
	require.Equal(t, 30*time.Second, c.HTTP.ReadTimeout)
}

func TestPrecedence(t *testing.T) {
	dir := t.TempDir()
	file := filepath.Join(dir, "parley.yaml")
	require.NoError(t, os.WriteFile(file, []byte("port: 4000\nopenai:\n  model: from-file\nlog:\n  level: debug\nhttp:\n  read_timeout: 5s\n"), 0o600))
	dotenv := filepath.Join(dir, ".env")
	require.NoError(t, os.WriteFile(dotenv, []byte("# the original's users keep their key here\nOPENAI_API_KEY=sk-from-dotenv\nOPENAI_MODEL=from-dotenv\nPORT=4001\nUNRELATED=x\n"), 0o600))
	fs := FlagSet("test")
	require.NoError(t, fs.Parse([]string{"--port", "4003"}))

	c, err := Load(Sources{
		File:    file,
		DotEnv:  dotenv,
		Environ: []string{"OPENAI_MODEL=from-env", "PORT=4002", "PARLEY_HTTP_RATE_LIMIT=7", "HOME=/root"},
		Flags:   fs,
	})
	require.NoError(t, err)
	require.Equal(t, 4003, c.Port, "flag beats env")
	require.Equal(t, "from-env", c.OpenAI.Model, "env beats .env and file")
	require.Equal(t, "sk-from-dotenv", c.OpenAI.APIKey.Reveal(), ".env is read")
	require.Equal(t, "debug", c.Log.Level, "file beats defaults")
	require.Equal(t, 5*time.Second, c.HTTP.ReadTimeout)
	require.Equal(t, 7, c.HTTP.RateLimit)
}

func TestUnsetFlagsDoNotOverride(t *testing.T) {
	fs := FlagSet("test")
	require.NoError(t, fs.Parse(nil))
	c, err := Load(Sources{Environ: []string{"PORT=5000"}, Flags: fs})
	require.NoError(t, err)
	require.Equal(t, 5000, c.Port)
}

func TestInvalidSettingsAllReported(t *testing.T) {
	_, err := Load(Sources{Environ: []string{
		"PORT=70000", "STUN_SERVER_URL=http://x", "PARLEY_LOG_LEVEL=loud", "OPENAI_BASE_URL=localhost:11434",
		"PARLEY_DATABASE_URL=mysql://u:hunter2@db/parley", "PARLEY_BUS_URL=redis://u:swordfish@bus:6379",
	}})
	require.Error(t, err)
	for _, want := range []string{"port (PORT)", "stun_server_url (STUN_SERVER_URL)", "log.level (PARLEY_LOG_LEVEL)", "openai.base_url (OPENAI_BASE_URL)", "database_url (PARLEY_DATABASE_URL)", "bus_url (PARLEY_BUS_URL)"} {
		require.Contains(t, err.Error(), want)
	}
	require.NotContains(t, err.Error(), "hunter2", "the database URL's password")
	require.NotContains(t, err.Error(), "swordfish", "the bus URL's password")
}

func TestWrongTypeAndUnknownKey(t *testing.T) {
	_, err := Load(Sources{Environ: []string{"PORT=abc"}})
	require.ErrorContains(t, err, "port")

	file := filepath.Join(t.TempDir(), "c.yaml")
	require.NoError(t, os.WriteFile(file, []byte("prot: 1\n"), 0o600))
	_, err = Load(Sources{File: file})
	require.ErrorContains(t, err, "prot")
}

func TestSecretNeverPrinted(t *testing.T) {
	c, err := Load(Sources{Environ: []string{"OPENAI_API_KEY=sk-very-secret"}})
	require.NoError(t, err)
	var buf bytes.Buffer
	slog.New(slog.NewJSONHandler(&buf, nil)).Info("config", "config", c, "key", c.OpenAI.APIKey)
	fmt.Fprintf(&buf, "%v %+v %#v %s", c, c, c, c.OpenAI.APIKey)
	require.NotContains(t, buf.String(), "sk-very-secret")
	require.Contains(t, buf.String(), "[redacted]")

	var help bytes.Buffer
	require.NoError(t, WriteEnvHelp(&help))
	for _, s := range Settings {
		require.True(t, strings.Contains(help.String(), s.Env), "help lacks %s", s.Env)
	}
}

// TestREADMEListsEverySetting keeps the README's configuration table in step
// with Settings.
func TestREADMEListsEverySetting(t *testing.T) {
	readme, err := os.ReadFile("../../README.md")
	require.NoError(t, err)
	for _, s := range Settings {
		require.Contains(t, string(readme), "| `"+s.Env+"` |", "README's configuration table lacks %s", s.Env)
	}
}

func TestRealtimeSettings(t *testing.T) {
	c, err := Load(Sources{Environ: []string{
		"PARLEY_WEBRTC_LOOPBACK=true", "PARLEY_WEBRTC_UDP_PORT_MIN=40000", "PARLEY_WEBRTC_UDP_PORT_MAX=40100",
		"PARLEY_WEBRTC_NAT_1TO1_IPS=203.0.113.7, 198.51.100.2", "PARLEY_TURN_URL=turn:turn.example.org:3478",
		"PARLEY_TURN_CREDENTIAL=hunter2", "PARLEY_CALL_MEDIA_TIMEOUT=5s",
	}})
	require.NoError(t, err)
	require.True(t, c.WebRTC.Loopback)
	require.Equal(t, 40000, c.WebRTC.UDPPortMin)
	require.Equal(t, []string{"203.0.113.7", "198.51.100.2"}, c.WebRTC.NATIPs())
	require.Equal(t, "hunter2", c.WebRTC.TURNCredential.Reveal())
	require.Equal(t, 5*time.Second, c.Calls.MediaTimeout)
	require.Equal(t, 10*time.Second, c.Calls.DisconnectGrace)

	for env, key := range map[string]string{
		"PARLEY_WEBRTC_UDP_PORT_MIN=40000":     "webrtc.udp_port_min", // max missing
		"PARLEY_WEBRTC_NAT_1TO1_IPS=not-an-ip": "webrtc.nat_1to1_ips",
		"PARLEY_TURN_URL=http://turn":          "webrtc.turn_url",
		"PARLEY_CALL_DISCONNECT_GRACE=0s":      "call.disconnect_grace",
		"PARLEY_SIGNALING_MAX_PAYLOAD=10":      "signaling.max_payload",
		"PARLEY_SIGNALING_EVENT_RATE=-1":       "signaling.event_rate",
		"PARLEY_SIGNALING_BYTE_RATE=-1":        "signaling.byte_rate",
	} {
		_, err := Load(Sources{Environ: []string{env}})
		require.ErrorContains(t, err, key, env)
	}
	_, err = Load(Sources{Environ: []string{"PARLEY_WEBRTC_UDP_PORT_MIN=5000", "PARLEY_WEBRTC_UDP_PORT_MAX=4000"}})
	require.ErrorContains(t, err, "must not be above")
}

func TestAdmissionSettings(t *testing.T) {
	c, err := Load(Sources{})
	require.NoError(t, err)
	require.Equal(t, DefaultMaxCalls, c.Admission.MaxCalls)
	require.Equal(t, 4, c.Admission.MaxProcessing)
	require.Equal(t, 30*time.Second, c.Admission.DrainTimeout)
	require.Equal(t, 5, c.Plugins.Nice)

	c, err = Load(Sources{Environ: []string{"PARLEY_MAX_CALLS=0", "PARLEY_MAX_PROCESSING=1", "PARLEY_DRAIN_TIMEOUT=0s", "PARLEY_PLUGIN_NICE=0"}})
	require.NoError(t, err)
	require.Zero(t, c.Admission.MaxCalls)
	require.Zero(t, c.Admission.DrainTimeout)

	for env, key := range map[string]string{
		"PARLEY_MAX_CALLS=-1":      "admission.max_calls (PARLEY_MAX_CALLS)",
		"PARLEY_MAX_PROCESSING=0":  "admission.max_processing (PARLEY_MAX_PROCESSING)",
		"PARLEY_DRAIN_TIMEOUT=-1s": "admission.drain_timeout (PARLEY_DRAIN_TIMEOUT)",
		"PARLEY_PLUGIN_NICE=20":    "plugins.nice (PARLEY_PLUGIN_NICE)",
	} {
		_, err := Load(Sources{Environ: []string{env}})
		require.ErrorContains(t, err, key, env)
	}
}

func TestDebugAddrIsLoopbackOnly(t *testing.T) {
	c, err := Load(Sources{})
	require.NoError(t, err)
	require.Empty(t, c.Debug.Addr, "profiles are off by default")
	for _, ok := range []string{"127.0.0.1:6060", "[::1]:6060", "localhost:6060"} {
		c, err := Load(Sources{Environ: []string{"PARLEY_DEBUG_ADDR=" + ok}})
		require.NoError(t, err, ok)
		require.Equal(t, ok, c.Debug.Addr)
	}
	for _, bad := range []string{":6060", "0.0.0.0:6060", "10.0.0.1:6060", "127.0.0.1", "example.com:6060"} {
		_, err := Load(Sources{Environ: []string{"PARLEY_DEBUG_ADDR=" + bad}})
		require.ErrorContains(t, err, "debug.addr (PARLEY_DEBUG_ADDR)", bad)
	}
}
