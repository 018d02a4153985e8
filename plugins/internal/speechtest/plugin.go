package speechtest

import (
	"bytes"
	"context"
	"os/exec"
	"path/filepath"
	"sync"
	"testing"

	"github.com/hashicorp/go-hclog"
	"github.com/hashicorp/go-plugin"

	"github.com/parleyhq/parley/runtime/provider"
)

// Logs collects a plugin's log lines.
type Logs struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

// Write implements io.Writer.
func (l *Logs) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.buf.Write(p)
}

// String returns everything logged so far.
func (l *Logs) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.buf.String()
}

// StartPlugin builds the plugin main package in dir into a binary called
// name and starts it as the runtime would (go-plugin, gRPC), returning its
// client and the log lines it writes. The process is killed when the test
// ends.
func StartPlugin(t testing.TB, dir, name string) (*provider.Client, *Logs) {
	t.Helper()
	bin := filepath.Join(t.TempDir(), name)
	if out, err := exec.Command("go", "build", "-o", bin, dir).CombinedOutput(); err != nil {
		t.Fatalf("go build %s: %v\n%s", dir, err, out)
	}
	logs := &Logs{}
	client := plugin.NewClient(&plugin.ClientConfig{
		HandshakeConfig:  provider.Handshake,
		VersionedPlugins: provider.VersionedPlugins(),
		Cmd:              exec.Command(bin),
		AllowedProtocols: []plugin.Protocol{plugin.ProtocolGRPC},
		Logger:           hclog.New(&hclog.LoggerOptions{Name: "test", Output: logs, Level: hclog.Debug}),
	})
	t.Cleanup(client.Kill)
	rpc, err := client.Client()
	if err != nil {
		t.Fatalf("start %s: %v", bin, err)
	}
	c, err := provider.Connect(context.Background(), rpc)
	if err != nil {
		t.Fatalf("connect %s: %v", bin, err)
	}
	return c, logs
}
