// Package bustest runs a real message bus for tests: Debian's nats-server
// (or redis-server, which the bus comparison benchmark measures against
// it) on a free loopback port, stopped when the test ends (as pgtest runs
// PostgreSQL).
//
//	srv := bustest.NATS(t)
//	b := srv.Connect(t, "instance-a")
package bustest

import (
	"context"
	"errors"
	"fmt"
	"net"
	"os"
	"os/exec"
	"strconv"
	"syscall"
	"testing"
	"time"

	"github.com/parleyhq/parley/internal/e2e"
	"github.com/parleyhq/parley/runtime/bus"
)

// Server is a running bus server.
type Server struct {
	// URL is how clients reach it: nats://127.0.0.1:PORT for NATS,
	// 127.0.0.1:PORT for Redis.
	URL string
	// Port is its TCP port on 127.0.0.1.
	Port int

	name   string
	format string // of URL, from the port
	argv   func(port int) []string
	dir    string
	proc   *e2e.Process
}

// NATS starts nats-server and stops it when t ends.
func NATS(t testing.TB) *Server {
	t.Helper()
	s, err := LaunchNATS()
	return started(t, s, err)
}

// LaunchNATS starts nats-server; the caller stops it (Stop). A test
// package's TestMain uses it to share one server among its tests.
func LaunchNATS() (*Server, error) {
	bin, err := exec.LookPath("nats-server")
	if err != nil {
		return nil, errors.New("nats-server is not installed: apt-get install nats-server (the Makefile's APT_PACKAGES has it)")
	}
	s := &Server{name: "nats-server", format: "nats://127.0.0.1:%d", argv: func(port int) []string {
		// -D/-V off; no monitoring port: only the client port is opened.
		return []string{bin, "-a", "127.0.0.1", "-p", strconv.Itoa(port), "--no_advertise"}
	}}
	return s, s.launch()
}

// Redis starts redis-server, without persistence, and stops it when t
// ends.
func Redis(t testing.TB) *Server {
	t.Helper()
	bin, err := exec.LookPath("redis-server")
	if err != nil {
		t.Fatal("redis-server is not installed: apt-get install redis-server (the Makefile's APT_PACKAGES has it)")
	}
	s := &Server{name: "redis-server", format: "127.0.0.1:%d", argv: func(port int) []string {
		return []string{bin, "--bind", "127.0.0.1", "--port", strconv.Itoa(port),
			"--save", "", "--appendonly", "no", "--protected-mode", "no"}
	}}
	return started(t, s, s.launch())
}

func started(t testing.TB, s *Server, err error) *Server {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		if t.Failed() && s.proc != nil {
			t.Logf("%s log (tail):\n%s", s.name, s.proc.Logs.Tail(40))
		}
		if err := s.Stop(); err != nil {
			t.Log(err)
		}
	})
	return s
}

func (s *Server) launch() error {
	dir, err := os.MkdirTemp("", "parley-bus-")
	if err != nil {
		return err
	}
	s.dir = dir
	if s.Port == 0 {
		if s.Port, err = e2e.PickFreePort(); err != nil {
			return err
		}
	}
	s.URL = fmt.Sprintf(s.format, s.Port)
	argv := s.argv(s.Port)
	s.proc, err = e2e.Launch(e2e.Command{
		Name: s.name, Bin: argv[0], Args: argv[1:], Dir: dir,
		Env: []string{"PATH=" + os.Getenv("PATH"), "LANG=C"}, Group: true, DieWithParent: true,
	})
	if err != nil {
		return err
	}
	if err := s.waitReady(15 * time.Second); err != nil {
		return fmt.Errorf("%w\n%s", err, s.proc.Logs.Tail(20))
	}
	return nil
}

// waitReady polls until the server accepts a TCP connection.
func (s *Server) waitReady(timeout time.Duration) error {
	deadline := time.Now().Add(timeout)
	for {
		conn, err := net.DialTimeout("tcp", fmt.Sprintf("127.0.0.1:%d", s.Port), time.Second)
		if err == nil {
			return conn.Close()
		}
		select {
		case <-s.proc.Exited():
			return fmt.Errorf("%s exited before it was ready: %w", s.name, s.proc.Wait())
		default:
		}
		if time.Now().After(deadline) {
			return fmt.Errorf("%s not ready after %v: %w", s.name, timeout, err)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// Kill stops the server at once (SIGKILL), as an outage does; Restart
// brings it back on the same port.
func (s *Server) Kill() error {
	if s.proc == nil {
		return nil
	}
	_ = s.proc.Signal(syscall.SIGKILL)
	<-s.proc.Exited()
	s.proc = nil
	return os.RemoveAll(s.dir)
}

// Restart starts the server again on its port after Kill.
func (s *Server) Restart() error {
	if s.proc != nil {
		return fmt.Errorf("%s is running", s.name)
	}
	return s.launch()
}

// Stop shuts the server down and removes its files.
func (s *Server) Stop() error {
	var err error
	if s.proc != nil {
		err = s.proc.Terminate(5 * time.Second)
		s.proc = nil
	}
	if s.dir != "" {
		err = errors.Join(err, os.RemoveAll(s.dir))
	}
	return err
}

// Connect connects a bus client to the NATS server s as name, and closes
// it when t ends.
func (s *Server) Connect(t testing.TB, name string) *bus.Bus {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	b, err := bus.Connect(ctx, s.URL, name, nil)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = b.Close() })
	return b
}
