// Package spawn starts a parley runtime binary for a benchmark run, on a
// free loopback port with a throwaway data directory, and stops it and
// the plugin processes it started.
package spawn

import (
	"errors"
	"fmt"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"time"

	"github.com/parleyhq/parley/bench/internal/proc"
)

// Options are the settings of a spawned runtime beyond its binary.
type Options struct {
	// AgentsDir is the agents directory (default: agents/ of the checkout
	// the binary lives in, i.e. beside its bin/).
	AgentsDir string
	// DefaultAgent is the runtime's default agent (empty: not set).
	DefaultAgent string
	// VADDir holds the Silero VAD assets (empty: not set, the runtime's
	// own default).
	VADDir string
	// TempPrefix names the data directory (default "runtime-").
	TempPrefix string
	// Profiles serves the runtime's Go profiles on a second free loopback
	// port (PARLEY_DEBUG_ADDR); Runtime.DebugURL names it.
	Profiles bool
	// Env is added last to the runtime's environment (KEY=VALUE), so it
	// overrides the settings above, e.g. PARLEY_MAX_CALLS=20.
	Env []string
}

// Runtime is a runtime this program started and must stop.
type Runtime struct {
	cmd *exec.Cmd
	URL string // base URL, http://127.0.0.1:<port>
	// DebugURL serves /debug/pprof/ when Options.Profiles; else empty.
	DebugURL string
	PID      int
	dir      string
	Log      string // the runtime's stdout and stderr
	done     chan struct{}
}

// Start starts bin (with its plugins in plugins/ beside it) on a free
// loopback port, with a throwaway data directory, the agents, default
// agent and VAD of o, WebRTC on loopback, no REST rate limit, no call cap
// (PARLEY_MAX_CALLS=0), warn-level logs into a file and then o.Env. The
// caller stops it.
func Start(bin string, o Options) (*Runtime, error) {
	abs, err := filepath.Abs(bin)
	if err != nil {
		return nil, err
	}
	if _, err := os.Stat(abs); err != nil {
		return nil, fmt.Errorf("-spawn: %w (run make build)", err)
	}
	agentsDir := o.AgentsDir
	if agentsDir == "" {
		agentsDir = filepath.Join(filepath.Dir(filepath.Dir(abs)), "agents")
	}
	if agentsDir, err = filepath.Abs(agentsDir); err != nil {
		return nil, err
	}
	vadDir := o.VADDir
	if vadDir != "" {
		if vadDir, err = filepath.Abs(vadDir); err != nil {
			return nil, err
		}
	}
	port, err := freePort()
	if err != nil {
		return nil, err
	}
	prefix := o.TempPrefix
	if prefix == "" {
		prefix = "runtime-"
	}
	dir, err := os.MkdirTemp("", prefix)
	if err != nil {
		return nil, err
	}
	logPath := filepath.Join(dir, "runtime.log")
	logFile, err := os.Create(logPath)
	if err != nil {
		return nil, err
	}
	defer func() { _ = logFile.Close() }()

	cmd := exec.Command(abs)
	cmd.Dir = dir // no stray .env from the caller's directory
	cmd.Env = append(cleanEnv(os.Environ()),
		"PORT="+strconv.Itoa(port),
		"PARLEY_HOST=127.0.0.1",
		"PARLEY_DATA_DIR="+filepath.Join(dir, "data"),
		"PARLEY_AGENTS_DIR="+agentsDir,
	)
	if o.DefaultAgent != "" {
		cmd.Env = append(cmd.Env, "PARLEY_DEFAULT_AGENT="+o.DefaultAgent)
	}
	if vadDir != "" {
		cmd.Env = append(cmd.Env, "PARLEY_VAD_DIR="+vadDir)
	}
	cmd.Env = append(cmd.Env,
		"PARLEY_WEBRTC_LOOPBACK=true",
		"PARLEY_HTTP_RATE_LIMIT=0",
		"PARLEY_LOG_LEVEL=warn",
		// Benchmarks measure what the runtime holds, not where its
		// admission stops it; Env may set a cap back.
		"PARLEY_MAX_CALLS=0",
	)
	var debugURL string
	if o.Profiles {
		dport, err := freePort()
		if err != nil {
			return nil, err
		}
		debugURL = fmt.Sprintf("http://127.0.0.1:%d", dport)
		cmd.Env = append(cmd.Env, fmt.Sprintf("PARLEY_DEBUG_ADDR=127.0.0.1:%d", dport))
	}
	cmd.Env = append(cmd.Env, o.Env...)
	cmd.Stdout, cmd.Stderr = logFile, logFile
	// Should this program die without cleaning up, the runtime goes too.
	cmd.SysProcAttr = &syscall.SysProcAttr{Pdeathsig: syscall.SIGTERM}
	if err := cmd.Start(); err != nil {
		_ = os.RemoveAll(dir)
		return nil, fmt.Errorf("start %s: %w", abs, err)
	}
	s := &Runtime{cmd: cmd, URL: fmt.Sprintf("http://127.0.0.1:%d", port), PID: cmd.Process.Pid, DebugURL: debugURL, dir: dir, Log: logPath, done: make(chan struct{})}
	go func() { _ = cmd.Wait(); close(s.done) }()
	return s, nil
}

// cleanEnv drops settings of the caller's environment that would change
// the spawned runtime.
func cleanEnv(env []string) []string {
	var out []string
	for _, kv := range env {
		if strings.HasPrefix(kv, "PARLEY_") || strings.HasPrefix(kv, "PORT=") {
			continue
		}
		out = append(out, kv)
	}
	return out
}

func freePort() (int, error) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return 0, err
	}
	defer func() { _ = ln.Close() }()
	return ln.Addr().(*net.TCPAddr).Port, nil
}

// LogTail returns the last n lines of the runtime's log.
func (s *Runtime) LogTail(n int) string {
	b, err := os.ReadFile(s.Log)
	if err != nil {
		return ""
	}
	lines := strings.Split(strings.TrimRight(string(b), "\n"), "\n")
	return strings.Join(lines[max(0, len(lines)-n):], "\n")
}

// Stop sends SIGTERM, waits up to grace, then SIGKILLs the runtime and any
// plugin process it left behind (by pid), and removes the data directory
// unless keep is set. Call it once.
func (s *Runtime) Stop(grace time.Duration, keep bool) error {
	kids := proc.Descendants(s.PID)
	_ = s.cmd.Process.Signal(syscall.SIGTERM)
	var err error
	// A second SIGTERM ends the calls the drain would wait for.
	select {
	case <-s.done:
	case <-time.After(time.Second):
		_ = s.cmd.Process.Signal(syscall.SIGTERM)
	}
	select {
	case <-s.done:
	case <-time.After(grace):
		_ = s.cmd.Process.Kill()
		<-s.done
		err = fmt.Errorf("runtime did not stop within %s of SIGTERM; killed", grace)
	}
	for _, k := range kids {
		// Only the processes found under our runtime, and only if they are
		// still the same processes (same name).
		if p, perr := proc.Read(k.PID); perr == nil && p.Name == k.Name {
			if kerr := syscall.Kill(k.PID, syscall.SIGKILL); kerr != nil && !errors.Is(kerr, syscall.ESRCH) {
				err = errors.Join(err, kerr)
			}
		}
	}
	if !keep {
		_ = os.RemoveAll(s.dir)
	}
	return err
}
