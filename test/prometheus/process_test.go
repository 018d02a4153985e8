package prometheus

import (
	"bytes"
	"errors"
	"fmt"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
	"go.yaml.in/yaml/v3"
)

// repoRoot is the repository, from this package's directory.
const repoRoot = "../.."

// buildRuntime builds the runtime as dir/parley and the default agent's
// plugins into dir/plugins, the layout `make build` produces, concurrently.
// The runtime gets the race detector when this test has it. The other
// agents of agents/ need an OpenAI key, which the test's runtime does not
// have: their plugins would never start, so they are not built (a link is
// seconds on a loaded machine).
func buildRuntime(t *testing.T, dir string) string {
	t.Helper()
	var spec struct {
		Providers map[string]struct {
			Plugin string `yaml:"plugin"`
		} `yaml:"providers"`
	}
	raw, err := os.ReadFile(filepath.Join(repoRoot, "agents", "default.yaml"))
	require.NoError(t, err)
	require.NoError(t, yaml.Unmarshal(raw, &spec))
	var plugins []string
	for _, p := range spec.Providers {
		if _, err := os.Stat(filepath.Join(repoRoot, "plugins", p.Plugin)); err == nil && !slices.Contains(plugins, "./plugins/"+p.Plugin) {
			plugins = append(plugins, "./plugins/"+p.Plugin)
		}
	}
	require.NotEmpty(t, plugins, "agents/default.yaml names no built-in plugin")
	bin := filepath.Join(dir, "parley")
	runtimeArgs := []string{"build", "-o", bin}
	if raceEnabled {
		runtimeArgs = append(runtimeArgs, "-race")
	}
	builds := [][]string{
		append(runtimeArgs, "./cmd/runtime"),
		// With -o naming a directory, each main package becomes
		// dir/plugins/<its directory name>.
		append([]string{"build", "-o", filepath.Join(dir, "plugins") + string(filepath.Separator)}, plugins...),
	}
	var wg sync.WaitGroup
	errs := make([]error, len(builds))
	for i, args := range builds {
		wg.Go(func() {
			cmd := exec.Command("go", args...)
			cmd.Dir = repoRoot
			if out, err := cmd.CombinedOutput(); err != nil {
				errs[i] = fmt.Errorf("go %s: %w\n%s", strings.Join(args, " "), err, out)
			}
		})
	}
	wg.Wait()
	require.NoError(t, errors.Join(errs...))
	return bin
}

// process is a server the test started: the runtime or Prometheus.
type process struct {
	name string
	cmd  *exec.Cmd
	port int
	base string
	logs *logBuffer
}

// startProcess starts bin with args and env; the caller has put port in
// args or env. The process is stopped by its PID when the test ends
// (SIGTERM, then SIGKILL after 5 s). It may not be ready yet: see
// waitReady.
func startProcess(t *testing.T, name string, port int, bin string, args, env []string) *process {
	t.Helper()
	cmd := exec.Command(bin, args...)
	cmd.Dir = t.TempDir() // no .env or config from the developer's tree
	cmd.Env = append([]string{"PATH=" + os.Getenv("PATH")}, env...)
	logs := &logBuffer{}
	cmd.Stdout, cmd.Stderr = logs, logs
	require.NoError(t, cmd.Start(), "start %s", name)
	p := &process{name: name, cmd: cmd, port: port, base: fmt.Sprintf("http://127.0.0.1:%d", port), logs: logs}
	t.Cleanup(func() { p.stop(t) })
	t.Cleanup(func() {
		if t.Failed() {
			t.Logf("%s log (tail):\n%s", name, logs.tail(60))
		}
	})
	return p
}

// waitReady waits until GET path answers 200.
func (p *process) waitReady(t *testing.T, path string) {
	t.Helper()
	client := &http.Client{Timeout: time.Second}
	require.Eventually(t, func() bool {
		res, err := client.Get(p.base + path)
		if err != nil {
			return false
		}
		res.Body.Close()
		return res.StatusCode == http.StatusOK
	}, 30*time.Second, 50*time.Millisecond, "%s did not become ready; log:\n%s", p.name, p.logs)
}

// stop ends the process by its PID: SIGTERM, then SIGKILL if it is still
// there after 5 s.
func (p *process) stop(t *testing.T) {
	done := make(chan error, 1)
	go func() { done <- p.cmd.Wait() }()
	_ = p.cmd.Process.Signal(syscall.SIGTERM)
	select {
	case <-done:
	case <-time.After(5 * time.Second):
		t.Logf("%s (pid %d) ignored SIGTERM for 5 s: killed", p.name, p.cmd.Process.Pid)
		_ = p.cmd.Process.Kill()
		<-done
	}
}

func freePort(t *testing.T) int {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	defer ln.Close()
	return ln.Addr().(*net.TCPAddr).Port
}

// startRuntime runs the parley binary on a free loopback port with the
// repository's agents and VAD assets, a fresh data directory and loopback
// WebRTC. Wait for it with waitReady(t, "/readyz").
func startRuntime(t *testing.T, bin string, extraEnv ...string) *process {
	t.Helper()
	agents, err := filepath.Abs(filepath.Join(repoRoot, "agents"))
	require.NoError(t, err)
	vad, err := filepath.Abs(filepath.Join(repoRoot, "bin", "vad")) // make vad fills it; without it, the energy detector
	require.NoError(t, err)
	port := freePort(t)
	env := append([]string{
		fmt.Sprintf("PORT=%d", port),
		"PARLEY_HOST=127.0.0.1",
		"PARLEY_DATA_DIR=" + t.TempDir(),
		"PARLEY_AGENTS_DIR=" + agents,
		"PARLEY_VAD_DIR=" + vad,
		"PARLEY_WEBRTC_LOOPBACK=true",
		"PARLEY_LOG_FORMAT=json",
	}, extraEnv...)
	return startProcess(t, "runtime", port, bin, nil, env)
}

// logBuffer collects a process's output while the test reads it.
type logBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (l *logBuffer) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.Write(p)
}

func (l *logBuffer) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.String()
}

// tail returns the last n lines.
func (l *logBuffer) tail(n int) string {
	lines := strings.Split(strings.TrimRight(l.String(), "\n"), "\n")
	return strings.Join(lines[max(0, len(lines)-n):], "\n")
}
