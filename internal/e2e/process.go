package e2e

import (
	"crypto/tls"
	"fmt"
	"io"
	"net/http"
	"os"
	"os/exec"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/parleyhq/parley/internal/logcap"
)

// Command is a server to launch: what Launch needs beyond the binary.
type Command struct {
	// Name names the process in errors and logs.
	Name string
	// Bin is the executable and Args its arguments.
	Bin  string
	Args []string
	// Env is the process's whole environment (KEY=VALUE; of a key given
	// twice the last wins).
	Env []string
	// Dir is its working directory; it should hold no .env or config of
	// the developer's tree.
	Dir string
	// Output, when not nil, gets a copy of the process's stdout and
	// stderr (a benchmark's log file); Process.Logs captures them anyway.
	Output io.Writer
	// Group starts the process as the leader of its own process group, as
	// a service manager does, so a signal can reach the whole group.
	Group bool
	// DieWithParent has the kernel send the process SIGTERM should the
	// launching program die without stopping it (a benchmark killed
	// mid-run).
	DieWithParent bool
}

// Process is a server that a test or benchmark launched.
type Process struct {
	// Name names the process in failures and logs.
	Name string
	// Logs is its stdout and stderr.
	Logs *logcap.Log

	cmd     *exec.Cmd
	exited  chan struct{}
	waitErr error
	stop    sync.Once
	stopErr error
}

// Launch starts c. It may not be ready yet (see Ready); the caller stops
// it (Terminate).
func Launch(c Command) (*Process, error) {
	cmd := exec.Command(c.Bin, c.Args...)
	cmd.Dir = c.Dir
	cmd.Env = c.Env
	logs := &logcap.Log{}
	var out io.Writer = logs
	if c.Output != nil {
		out = io.MultiWriter(logs, c.Output)
	}
	cmd.Stdout, cmd.Stderr = out, out
	if c.Group || c.DieWithParent {
		cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: c.Group}
		if c.DieWithParent {
			cmd.SysProcAttr.Pdeathsig = syscall.SIGTERM
		}
	}
	if err := cmd.Start(); err != nil {
		return nil, fmt.Errorf("start %s: %w", c.Name, err)
	}
	p := &Process{Name: c.Name, Logs: logs, cmd: cmd, exited: make(chan struct{})}
	go func() { p.waitErr = cmd.Wait(); close(p.exited) }()
	return p, nil
}

// StartProcess starts bin with args and, besides PATH and HOME, only env,
// in a fresh working directory (no .env or config from the developer's
// tree). It is stopped (see Stop) when the test ends, and its log's tail is
// logged if the test failed. It may not be ready yet: see WaitReady.
func StartProcess(t testing.TB, name, bin string, args, env []string) *Process {
	t.Helper()
	p, err := Launch(Command{Name: name, Bin: bin, Args: args, Dir: t.TempDir(), Env: testEnv(env)})
	if err != nil {
		t.Fatal(err)
	}
	p.cleanup(t)
	return p
}

// cleanup stops p when the test ends and then logs its log's tail if the
// test failed.
func (p *Process) cleanup(t testing.TB) {
	t.Cleanup(func() { p.Stop(t) })
	t.Cleanup(func() {
		if t.Failed() {
			t.Logf("%s log (tail):\n%s", p.Name, p.Logs.Tail(60))
		}
	})
}

// testEnv is a test process's environment: PATH and HOME, then env.
func testEnv(env []string) []string {
	return append([]string{"PATH=" + os.Getenv("PATH"), "HOME=" + os.Getenv("HOME")}, env...)
}

// PID is the process's id.
func (p *Process) PID() int {
	return p.cmd.Process.Pid
}

// Exited is closed once the process has exited.
func (p *Process) Exited() <-chan struct{} {
	return p.exited
}

// Signal sends sig to the process (to its whole group when it was launched
// with Command.Group).
func (p *Process) Signal(sig syscall.Signal) error {
	if p.cmd.SysProcAttr != nil && p.cmd.SysProcAttr.Setpgid {
		return syscall.Kill(-p.PID(), sig)
	}
	return p.cmd.Process.Signal(sig)
}

// Wait waits for the process to exit and returns how it ended: nil for
// exit status 0, else an *exec.ExitError (see ExitCode). It may be called
// any number of times.
func (p *Process) Wait() error {
	<-p.exited
	return p.waitErr
}

// ExitCode is the process's exit code once it has exited, -1 before or if
// a signal ended it.
func (p *Process) ExitCode() int {
	select {
	case <-p.exited:
		return p.cmd.ProcessState.ExitCode()
	default:
		return -1
	}
}

// Terminate ends the process: SIGTERM (the runtime drains: with no call
// live it stops at once), a second SIGTERM after a second if it is still
// there (the runtime ends its calls now), then SIGKILL (to its group, if
// it leads one) if it is still there grace later. It returns once the
// process has exited, with an error if it had to be killed; calling it
// again does nothing and returns the same.
func (p *Process) Terminate(grace time.Duration) error {
	p.stop.Do(func() {
		_ = p.Signal(syscall.SIGTERM)
		select {
		case <-p.exited:
		case <-time.After(time.Second):
			_ = p.Signal(syscall.SIGTERM)
		}
		select {
		case <-p.exited:
		case <-time.After(grace):
			_ = p.Signal(syscall.SIGKILL)
			<-p.exited
			p.stopErr = fmt.Errorf("%s (pid %d) ignored SIGTERM for %s: killed", p.Name, p.PID(), grace)
		}
	})
	return p.stopErr
}

// Stop ends the process by its PID (Terminate with 5 s of grace), logging
// to the test if it had to be killed.
func (p *Process) Stop(t testing.TB) {
	if err := p.Terminate(5 * time.Second); err != nil {
		t.Log(err)
	}
}

// Ready waits until GET url answers 200. It fails if the process exits
// first or it takes longer than timeout, with the tail of its log.
func (p *Process) Ready(url string, timeout time.Duration) error {
	// A runtime serving TLS (a test's own certificate) is probed without
	// verifying it; the test checks the certificate itself.
	client := &http.Client{Timeout: time.Second, Transport: &http.Transport{
		TLSClientConfig: &tls.Config{InsecureSkipVerify: true}, //nolint:gosec // readiness probe on loopback
	}}
	deadline := time.Now().Add(timeout)
	for {
		res, err := client.Get(url)
		if err == nil {
			res.Body.Close()
			if res.StatusCode == http.StatusOK {
				return nil
			}
		}
		select {
		case <-p.exited:
			return fmt.Errorf("%s exited before it was ready; log:\n%s", p.Name, p.Logs.Tail(60))
		case <-time.After(25 * time.Millisecond):
		}
		if time.Now().After(deadline) {
			return fmt.Errorf("%s not ready after %v; log:\n%s", p.Name, timeout, p.Logs.Tail(60))
		}
	}
}

// WaitReady is Ready for a test: it fails the test on an error.
func (p *Process) WaitReady(t testing.TB, url string, timeout time.Duration) {
	t.Helper()
	if err := p.Ready(url, timeout); err != nil {
		t.Fatal(err)
	}
}
