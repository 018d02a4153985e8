package e2e

import (
	"crypto/tls"
	"net/http"
	"os"
	"os/exec"
	"sync"
	"syscall"
	"testing"
	"time"
)

// Process is a server the test started. It is stopped by its PID when the
// test ends.
type Process struct {
	// Name names the process in failures and logs.
	Name string
	// Logs is its stdout and stderr.
	Logs *Log

	cmd    *exec.Cmd
	exited chan struct{}
	stop   sync.Once
}

// StartProcess starts bin with args and, besides PATH and HOME, only env,
// in a fresh working directory (no .env or config from the developer's
// tree). It is stopped (see Stop) when the test ends, and its log's tail is
// logged if the test failed. It may not be ready yet: see WaitReady.
func StartProcess(t testing.TB, name, bin string, args, env []string) *Process {
	t.Helper()
	cmd := exec.Command(bin, args...)
	cmd.Dir = t.TempDir()
	cmd.Env = append([]string{"PATH=" + os.Getenv("PATH"), "HOME=" + os.Getenv("HOME")}, env...)
	logs := &Log{}
	cmd.Stdout, cmd.Stderr = logs, logs
	if err := cmd.Start(); err != nil {
		t.Fatalf("start %s: %v", name, err)
	}
	p := &Process{Name: name, Logs: logs, cmd: cmd, exited: make(chan struct{})}
	go func() { _ = cmd.Wait(); close(p.exited) }()
	t.Cleanup(func() { p.Stop(t) })
	t.Cleanup(func() {
		if t.Failed() {
			t.Logf("%s log (tail):\n%s", name, logs.Tail(60))
		}
	})
	return p
}

// PID is the process's id.
func (p *Process) PID() int {
	return p.cmd.Process.Pid
}

// Exited is closed once the process has exited.
func (p *Process) Exited() <-chan struct{} {
	return p.exited
}

// Stop ends the process by its PID: SIGTERM (the runtime drains: with no
// call live it stops at once), a second SIGTERM after a second if it is
// still there (the runtime ends its calls now), then SIGKILL if it is
// still there 5 s later. It returns once the process has exited; calling
// it again does nothing.
func (p *Process) Stop(t testing.TB) {
	p.stop.Do(func() {
		_ = p.cmd.Process.Signal(syscall.SIGTERM)
		select {
		case <-p.exited:
		case <-time.After(time.Second):
			_ = p.cmd.Process.Signal(syscall.SIGTERM)
		}
		select {
		case <-p.exited:
		case <-time.After(5 * time.Second):
			t.Logf("%s (pid %d) ignored SIGTERM for 5 s: killed", p.Name, p.PID())
			_ = p.cmd.Process.Kill()
			<-p.exited
		}
	})
}

// WaitReady waits until GET url answers 200, failing the test if the
// process exits first or it takes longer than timeout.
func (p *Process) WaitReady(t testing.TB, url string, timeout time.Duration) {
	t.Helper()
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
				return
			}
		}
		select {
		case <-p.exited:
			t.Fatalf("%s exited before it was ready; log:\n%s", p.Name, p.Logs.Tail(60))
		case <-time.After(25 * time.Millisecond):
		}
		if time.Now().After(deadline) {
			t.Fatalf("%s not ready after %v; log:\n%s", p.Name, timeout, p.Logs.Tail(60))
		}
	}
}
