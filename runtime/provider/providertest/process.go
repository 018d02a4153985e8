package providertest

import (
	"context"
	"os/exec"
	"path/filepath"
	"testing"
	"time"

	"github.com/hashicorp/go-hclog"
	"github.com/hashicorp/go-plugin"

	"github.com/parleyhq/parley/internal/logcap"
	"github.com/parleyhq/parley/runtime/provider"
)

// Logs collects the log lines of a plugin process (internal/logcap).
type Logs = logcap.Log

// StartOption tunes Start.
type StartOption func(*startConfig)

type startConfig struct {
	ldflags string
	env     []string
}

// WithVersion builds the plugin with main.version set, as the Makefile does.
func WithVersion(v string) StartOption {
	return func(c *startConfig) { c.ldflags = "-X main.version=" + v }
}

// WithEnv gives the plugin process exactly this environment (KEY=value).
func WithEnv(env ...string) StartOption {
	return func(c *startConfig) { c.env = env }
}

// Start builds the plugin main package in dir and starts it as the runtime
// does: a separate process behind go-plugin's gRPC, options crossing as
// JSON. It returns the runtime's client and the plugin's log lines; the
// process is killed when the test ends.
func Start(t testing.TB, dir string, opts ...StartOption) (*provider.Client, *Logs) {
	t.Helper()
	var cfg startConfig
	for _, o := range opts {
		o(&cfg)
	}
	abs, err := filepath.Abs(dir)
	if err != nil {
		t.Fatalf("providertest: %v", err)
	}
	bin := filepath.Join(t.TempDir(), filepath.Base(abs))
	args := []string{"build", "-o", bin}
	if cfg.ldflags != "" {
		args = append(args, "-ldflags", cfg.ldflags)
	}
	build := exec.Command("go", append(args, ".")...)
	build.Dir = abs
	if out, err := build.CombinedOutput(); err != nil {
		t.Fatalf("providertest: go build %s: %v\n%s", dir, err, out)
	}
	cmd := exec.Command(bin)
	cmd.Env = cfg.env
	logs := &Logs{}
	client := plugin.NewClient(&plugin.ClientConfig{
		HandshakeConfig:  provider.Handshake,
		VersionedPlugins: provider.VersionedPlugins(),
		Cmd:              cmd,
		AllowedProtocols: []plugin.Protocol{plugin.ProtocolGRPC},
		Logger:           hclog.New(&hclog.LoggerOptions{Name: "test", Output: logs, Level: hclog.Debug}),
		SkipHostEnv:      true,
	})
	t.Cleanup(client.Kill)
	rpc, err := client.Client()
	if err != nil {
		t.Fatalf("providertest: start %s: %v", bin, err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	c, err := provider.Connect(ctx, rpc)
	if err != nil {
		t.Fatalf("providertest: connect %s: %v", bin, err)
	}
	return c, logs
}
