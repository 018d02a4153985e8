package main

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
)

// spawned is a runtime this program started and must stop.
type spawned struct {
	cmd  *exec.Cmd
	URL  string
	PID  int
	dir  string
	Log  string
	done chan struct{}
}

// spawnRuntime starts bin (with its plugins in plugins/ beside it) on a free
// loopback port, with a throwaway data directory, agents from agentsDir
// (default: agents/ of the checkout bin lives in) with defaultAgent as the
// default, the Silero VAD from vadDir (default: vad/ beside bin), WebRTC on
// loopback, no REST rate limit and warn-level logs into a file. (Adapted
// from bench/callload.)
func spawnRuntime(bin, agentsDir, defaultAgent, vadDir string) (*spawned, error) {
	abs, err := filepath.Abs(bin)
	if err != nil {
		return nil, err
	}
	if _, err := os.Stat(abs); err != nil {
		return nil, fmt.Errorf("-spawn: %w (run make build)", err)
	}
	if agentsDir == "" {
		agentsDir = filepath.Join(filepath.Dir(filepath.Dir(abs)), "agents")
	}
	if agentsDir, err = filepath.Abs(agentsDir); err != nil {
		return nil, err
	}
	if vadDir == "" {
		vadDir = filepath.Join(filepath.Dir(abs), "vad")
	}
	if vadDir, err = filepath.Abs(vadDir); err != nil {
		return nil, err
	}
	port, err := freePort()
	if err != nil {
		return nil, err
	}
	dir, err := os.MkdirTemp("", "turns-runtime-")
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
		"PARLEY_WEBRTC_LOOPBACK=true",
		"PARLEY_HTTP_RATE_LIMIT=0",
		"PARLEY_LOG_LEVEL=warn",
		"PARLEY_DEFAULT_AGENT="+defaultAgent,
		"PARLEY_VAD_DIR="+vadDir,
	)
	cmd.Stdout, cmd.Stderr = logFile, logFile
	// Should this program die without cleaning up, the runtime goes too.
	cmd.SysProcAttr = &syscall.SysProcAttr{Pdeathsig: syscall.SIGTERM}
	if err := cmd.Start(); err != nil {
		_ = os.RemoveAll(dir)
		return nil, fmt.Errorf("start %s: %w", abs, err)
	}
	s := &spawned{cmd: cmd, URL: fmt.Sprintf("http://127.0.0.1:%d", port), PID: cmd.Process.Pid, dir: dir, Log: logPath, done: make(chan struct{})}
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

// logTail returns the last n lines of the runtime's log.
func (s *spawned) logTail(n int) string {
	b, err := os.ReadFile(s.Log)
	if err != nil {
		return ""
	}
	lines := strings.Split(strings.TrimRight(string(b), "\n"), "\n")
	return strings.Join(lines[max(0, len(lines)-n):], "\n")
}

// stop sends SIGTERM, waits up to grace, then SIGKILLs the runtime and any
// plugin process it left behind (by pid), and removes the data directory
// unless keep is set.
func (s *spawned) stop(grace time.Duration, keep bool) error {
	kids := descendants(s.PID)
	_ = s.cmd.Process.Signal(syscall.SIGTERM)
	var err error
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
		if p, perr := readProc(k.PID); perr == nil && p.Name == k.Name {
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
