// Package pgtest runs a real PostgreSQL server for tests: Debian's
// postgresql package, initialised in a temporary directory and listening
// on a free loopback port, stopped and removed when the test ends (as
// test/prometheus runs Prometheus). Run as root, the server runs as the
// postgres user, since initdb refuses root.
//
//	srv := pgtest.Start(t)
//	url := srv.NewDatabase(t) // postgres://parley@127.0.0.1:PORT/t_1?sslmode=disable
package pgtest

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"os/user"
	"path/filepath"
	"slices"
	"strconv"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/parleyhq/parley/internal/e2e"
)

// Superuser is the role the server is initialised with; it needs no
// password on loopback (trust).
const Superuser = "parley"

// Server is a running PostgreSQL server.
type Server struct {
	// Port is its TCP port on 127.0.0.1.
	Port int
	dir  string // its socket, and its data in data/
	proc *e2e.Process
	dbs  atomic.Int64
}

// Bin returns the directory of the newest installed PostgreSQL's programs
// (/usr/lib/postgresql/N/bin), or an error naming the package to install.
func Bin() (string, error) {
	dirs, _ := filepath.Glob("/usr/lib/postgresql/*/bin")
	slices.SortFunc(dirs, func(a, b string) int { return version(a) - version(b) })
	for i := len(dirs) - 1; i >= 0; i-- {
		if _, err := os.Stat(filepath.Join(dirs[i], "initdb")); err == nil {
			return dirs[i], nil
		}
	}
	return "", errors.New("PostgreSQL is not installed: apt-get install postgresql (the Makefile's APT_PACKAGES has it)")
}

func version(binDir string) int {
	v, _ := strconv.Atoi(filepath.Base(filepath.Dir(binDir)))
	return v
}

// Start initialises and starts a server, waits until it accepts
// connections and stops it when t ends. It fails t if PostgreSQL is not
// installed.
func Start(t testing.TB) *Server {
	t.Helper()
	s, err := Launch()
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		if t.Failed() {
			t.Logf("postgres log (tail):\n%s", s.proc.Logs.Tail(40))
		}
		if err := s.Stop(); err != nil {
			t.Log(err)
		}
	})
	return s
}

// Launch initialises and starts a server and waits until it accepts
// connections; the caller stops it (Stop). A test package's TestMain uses
// it to share one server among its tests.
func Launch() (*Server, error) {
	bin, err := Bin()
	if err != nil {
		return nil, err
	}
	// Not t.TempDir: its parents are private to root, and the server may
	// run as the postgres user.
	dir, err := os.MkdirTemp("", "parley-pg-")
	if err != nil {
		return nil, err
	}
	s := &Server{dir: dir}
	if err := s.launch(bin); err != nil {
		return nil, errors.Join(err, s.Stop())
	}
	return s, nil
}

func (s *Server) launch(bin string) error {
	var asUser []string // the command prefix that runs a program as the server's user
	if os.Geteuid() == 0 {
		u, err := user.Lookup("postgres")
		if err != nil {
			return fmt.Errorf("running as root needs the postgres user (apt-get install postgresql): %w", err)
		}
		uid, _ := strconv.Atoi(u.Uid)
		gid, _ := strconv.Atoi(u.Gid)
		if err := os.Chown(s.dir, uid, gid); err != nil {
			return err
		}
		asUser = []string{"runuser", "-u", "postgres", "--"}
	}
	data := filepath.Join(s.dir, "data")
	initdb := append(slices.Clone(asUser), filepath.Join(bin, "initdb"), "-D", data, "-U", Superuser,
		"-A", "trust", "-E", "UTF8", "--locale=C", "--no-sync", "--no-instructions")
	if out, err := runCommand(initdb); err != nil {
		return fmt.Errorf("initdb: %w\n%s", err, out)
	}
	port, err := e2e.PickFreePort()
	if err != nil {
		return err
	}
	s.Port = port
	args := append(slices.Clone(asUser), filepath.Join(bin, "postgres"), "-D", data,
		"-p", strconv.Itoa(port), "-k", s.dir, "-c", "listen_addresses=127.0.0.1",
		// A test's server: nothing survives it, so nothing is flushed.
		"-c", "fsync=off", "-c", "synchronous_commit=off", "-c", "full_page_writes=off",
		"-c", "max_connections=300")
	s.proc, err = e2e.Launch(e2e.Command{
		Name: "postgres", Bin: args[0], Args: args[1:], Dir: s.dir,
		Env:   []string{"PATH=" + os.Getenv("PATH"), "LANG=C"},
		Group: true, DieWithParent: true,
	})
	if err != nil {
		return err
	}
	if err := s.waitReady(30 * time.Second); err != nil {
		return fmt.Errorf("%w\n%s", err, s.proc.Logs.Tail(40))
	}
	return nil
}

// Pause stops the server and its backends where they are (SIGSTOP to
// every process of its tree: each backend leads its own session), as a
// network partition would: connections hang rather than fail. Resume lets
// them go on.
func (s *Server) Pause() error { return s.signalTree(syscall.SIGSTOP) }

// Resume undoes Pause.
func (s *Server) Resume() error { return s.signalTree(syscall.SIGCONT) }

// signalTree sends sig to the server's process and all its descendants
// (read from /proc).
func (s *Server) signalTree(sig syscall.Signal) error {
	parent := map[int]int{} // pid -> ppid
	entries, err := os.ReadDir("/proc")
	if err != nil {
		return err
	}
	for _, e := range entries {
		pid, err := strconv.Atoi(e.Name())
		if err != nil {
			continue
		}
		stat, err := os.ReadFile(filepath.Join("/proc", e.Name(), "stat"))
		if err != nil {
			continue
		}
		// pid (comm) state ppid ...: comm may hold spaces, so read after
		// its closing parenthesis.
		rest := stat[bytes.LastIndexByte(stat, ')')+1:]
		var state string
		var ppid int
		if _, err := fmt.Sscan(string(rest), &state, &ppid); err == nil {
			parent[pid] = ppid
		}
	}
	in := map[int]bool{s.proc.PID(): true}
	for changed := true; changed; {
		changed = false
		for pid, ppid := range parent {
			if in[ppid] && !in[pid] {
				in[pid], changed = true, true
			}
		}
	}
	var errs []error
	for pid := range in {
		if err := syscall.Kill(pid, sig); err != nil && !errors.Is(err, syscall.ESRCH) {
			errs = append(errs, err)
		}
	}
	return errors.Join(errs...)
}

// Stop shuts the server down (fast shutdown: clients left connected are
// cut off) and removes its files.
func (s *Server) Stop() error {
	var err error
	if s.proc != nil {
		_ = s.proc.Signal(syscall.SIGINT)
		select {
		case <-s.proc.Exited():
		case <-time.After(10 * time.Second):
		}
		err = s.proc.Terminate(5 * time.Second)
	}
	return errors.Join(err, os.RemoveAll(s.dir))
}

// runCommand runs argv and returns its combined output.
func runCommand(argv []string) ([]byte, error) {
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	return execCommand(ctx, argv).CombinedOutput()
}

// URL is the connection URL of database db as the superuser.
func (s *Server) URL(db string) string {
	return fmt.Sprintf("postgres://%s@127.0.0.1:%d/%s?sslmode=disable", Superuser, s.Port, db)
}

// waitReady polls until the server accepts a connection.
func (s *Server) waitReady(timeout time.Duration) error {
	deadline := time.Now().Add(timeout)
	for {
		ctx, cancel := context.WithTimeout(context.Background(), time.Second)
		conn, err := pgx.Connect(ctx, s.URL("postgres"))
		if err == nil {
			err = conn.Close(ctx)
			cancel()
			return err
		}
		cancel()
		select {
		case <-s.proc.Exited():
			return fmt.Errorf("postgres exited before it was ready: %w", s.proc.Wait())
		default:
		}
		if time.Now().After(deadline) {
			return fmt.Errorf("postgres not ready after %v: %w", timeout, err)
		}
		time.Sleep(50 * time.Millisecond)
	}
}

// NewDatabase creates an empty database and returns its URL.
func (s *Server) NewDatabase(t testing.TB) string {
	t.Helper()
	name := fmt.Sprintf("t_%d", s.dbs.Add(1))
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	conn, err := pgx.Connect(ctx, s.URL("postgres"))
	if err != nil {
		t.Fatal(err)
	}
	defer func() { _ = conn.Close(ctx) }()
	if _, err := conn.Exec(ctx, "CREATE DATABASE "+name); err != nil {
		t.Fatalf("create database %s: %v", name, err)
	}
	return s.URL(name)
}

// execCommand is exec.CommandContext with an environment of PATH and LANG
// only (no developer settings such as PGDATA reach initdb).
func execCommand(ctx context.Context, argv []string) *exec.Cmd {
	cmd := exec.CommandContext(ctx, argv[0], argv[1:]...)
	cmd.Env = []string{"PATH=" + os.Getenv("PATH"), "LANG=C"}
	return cmd
}
