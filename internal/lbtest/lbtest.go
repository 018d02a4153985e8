// Package lbtest runs Debian's haproxy with the shipped configuration
// (deploy/haproxy/haproxy.cfg) in front of three runtime instances on
// loopback, for the multi-instance test and benchmark.
//
//	lb := lbtest.Start(t, [3]string{a.Base, b.Base, c.Base})
//	http.Get(lb.Base + "/api/v1/calls")
package lbtest

import (
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"testing"
	"time"

	"github.com/parleyhq/parley/internal/e2e"
)

// Cookie is the stickiness cookie of the shipped configuration; its value
// is a server's name, Server(i).
const Cookie = "PARLEY_INSTANCE"

// Server is the name of the i-th instance (0-based) in the configuration.
func Server(i int) string { return fmt.Sprintf("parley-%d", i+1) }

// LB is a running haproxy.
type LB struct {
	// Base is its URL, http://127.0.0.1:PORT.
	Base string
	proc *e2e.Process
	dir  string
}

// Start runs haproxy in front of the instances at bases (http://host:port)
// with a 200 ms health check, waits until it answers, and stops it when t
// ends.
func Start(t testing.TB, bases [3]string) *LB {
	t.Helper()
	lb, err := Launch(bases)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		if t.Failed() {
			t.Logf("haproxy log (tail):\n%s", lb.proc.Logs.Tail(20))
		}
		if err := lb.Stop(); err != nil {
			t.Log(err)
		}
	})
	return lb
}

// Launch is Start for a benchmark: the caller stops it (Stop).
func Launch(bases [3]string) (*LB, error) {
	bin, err := exec.LookPath("haproxy")
	if err != nil {
		return nil, errors.New("haproxy is not installed: apt-get install haproxy (the Makefile's APT_PACKAGES has it)")
	}
	root, err := e2e.RepoRoot()
	if err != nil {
		return nil, err
	}
	cfg := filepath.Join(root, "deploy", "haproxy", "haproxy.cfg")
	port, err := e2e.PickFreePort()
	if err != nil {
		return nil, err
	}
	dir, err := os.MkdirTemp("", "parley-lb-")
	if err != nil {
		return nil, err
	}
	env := []string{"PATH=" + os.Getenv("PATH"), fmt.Sprintf("LB_BIND=127.0.0.1:%d", port), "LB_CHECK_INTER=200ms"}
	for i, b := range bases {
		u, err := url.Parse(b)
		if err != nil {
			return nil, err
		}
		env = append(env, fmt.Sprintf("PARLEY_%d=%s", i+1, u.Host))
	}
	// -db: stay in the foreground; -W would fork a master.
	p, err := e2e.Launch(e2e.Command{Name: "haproxy", Bin: bin, Args: []string{"-db", "-f", cfg}, Env: env, Dir: dir, DieWithParent: true})
	if err != nil {
		return nil, err
	}
	lb := &LB{Base: fmt.Sprintf("http://127.0.0.1:%d", port), proc: p, dir: dir}
	if err := lb.waitUp(15 * time.Second); err != nil {
		return nil, errors.Join(fmt.Errorf("%w\n%s", err, p.Logs.Tail(20)), lb.Stop())
	}
	return lb, nil
}

// Stop ends haproxy.
func (lb *LB) Stop() error {
	err := lb.proc.Terminate(5 * time.Second)
	return errors.Join(err, os.RemoveAll(lb.dir))
}

// waitUp waits until haproxy accepts a request (whatever the instances
// answer).
func (lb *LB) waitUp(timeout time.Duration) error {
	deadline := time.Now().Add(timeout)
	client := &http.Client{Timeout: time.Second}
	for {
		resp, err := client.Get(lb.Base + "/healthz")
		if err == nil {
			_ = resp.Body.Close()
			return nil
		}
		select {
		case <-lb.proc.Exited():
			return errors.New("haproxy exited before it was ready")
		default:
		}
		if time.Now().After(deadline) {
			return fmt.Errorf("haproxy not up after %v: %w", timeout, err)
		}
		time.Sleep(50 * time.Millisecond)
	}
}

// To is the header that sends a request (or a Socket.IO handshake) to the
// i-th instance through the load balancer, as its stickiness cookie does.
func To(i int) http.Header {
	return http.Header{"Cookie": {Cookie + "=" + Server(i)}}
}
