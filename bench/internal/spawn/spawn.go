// Package spawn is the benchmarks' policy for a runtime they start
// themselves: a throwaway data directory with the log kept in a file, no
// REST rate limit, no call cap, warn-level logs, an optional profile
// listener, and at the end the plugin processes it left behind killed.
// Launching and stopping the process is internal/e2e's (LaunchRuntime,
// Terminate), which the tests use too.
package spawn

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"time"

	"github.com/parleyhq/parley/bench/internal/proc"
	"github.com/parleyhq/parley/internal/e2e"
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
	rt  *e2e.Runtime
	URL string // base URL, http://127.0.0.1:<port>
	// DebugURL serves /debug/pprof/ when Options.Profiles; else empty.
	DebugURL string
	PID      int
	dir      string
	Log      string // the runtime's stdout and stderr
	// logFile receives the runtime's output through e2e's copier: it stays
	// open until the runtime has ended (closed early, the copier stops and
	// the runtime dies of SIGPIPE at its next log line).
	logFile *os.File
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

	var env []string
	if o.DefaultAgent != "" {
		env = append(env, "PARLEY_DEFAULT_AGENT="+o.DefaultAgent)
	}
	env = append(env,
		"PARLEY_HTTP_RATE_LIMIT=0",
		"PARLEY_LOG_LEVEL=warn",
		// Benchmarks measure what the runtime holds, not where its
		// admission stops it; Env may set a cap back.
		"PARLEY_MAX_CALLS=0",
	)
	var debugURL string
	if o.Profiles {
		dport, err := e2e.PickFreePort()
		if err != nil {
			_ = logFile.Close()
			return nil, err
		}
		debugURL = fmt.Sprintf("http://127.0.0.1:%d", dport)
		env = append(env, fmt.Sprintf("PARLEY_DEBUG_ADDR=127.0.0.1:%d", dport))
	}
	rt, err := e2e.LaunchRuntime(abs, e2e.RuntimeOptions{
		Dir:       dir, // no stray .env from the caller's directory
		DataDir:   filepath.Join(dir, "data"),
		AgentsDir: agentsDir,
		VADDir:    vadDir,
		Environ:   cleanEnv(os.Environ()),
		Env:       append(env, o.Env...),
		Output:    logFile,
		// Should this program die without cleaning up, the runtime goes too.
		DieWithParent: true,
	})
	if err != nil {
		_ = logFile.Close()
		_ = os.RemoveAll(dir)
		return nil, err
	}
	return &Runtime{rt: rt, URL: rt.Base, PID: rt.PID(), DebugURL: debugURL, dir: dir, Log: logPath, logFile: logFile}, nil
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

// LogTail returns the last n lines of the runtime's log.
func (s *Runtime) LogTail(n int) string {
	return s.rt.Logs.Tail(n)
}

// Stop ends the runtime (e2e's Terminate: SIGTERM, a second one after a
// second, SIGKILL after grace), then SIGKILLs any plugin process it left
// behind (by pid), and removes the data directory unless keep is set. Call
// it once.
func (s *Runtime) Stop(grace time.Duration, keep bool) error {
	kids := proc.Descendants(s.PID)
	err := s.rt.Terminate(grace)
	for _, k := range kids {
		// Only the processes found under our runtime, and only if they are
		// still the same processes (same name).
		if p, perr := proc.Read(k.PID); perr == nil && p.Name == k.Name {
			if kerr := syscall.Kill(k.PID, syscall.SIGKILL); kerr != nil && !errors.Is(kerr, syscall.ESRCH) {
				err = errors.Join(err, kerr)
			}
		}
	}
	_ = s.logFile.Close()
	if !keep {
		_ = os.RemoveAll(s.dir)
	}
	return err
}
