package e2e

import (
	"bufio"
	"context"
	"io"
	"os/exec"
	"syscall"
	"testing"
	"time"

	"github.com/parleyhq/parley/internal/logcap"
)

// Driver is a Node.js script (a playwright driver of Chromium) that the
// test talks to: lines to its stdin, one JSON line per event from its
// stdout.
type Driver struct {
	// Stdin is the script's standard input.
	Stdin io.WriteCloser
	// Lines scans the script's standard output, lines of up to 16 MiB.
	Lines *bufio.Scanner
	// Stderr is what the script wrote to its standard error.
	Stderr *logcap.Log

	cmd *exec.Cmd
}

// StartDriver runs node with args in dir. After timeout it gets SIGTERM
// (playwright closes Chromium on it), and it is killed if it is still
// running when the test ends.
func StartDriver(t testing.TB, node, dir string, timeout time.Duration, args ...string) *Driver {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), timeout)
	cmd := exec.CommandContext(ctx, node, args...)
	cmd.Dir = dir
	cmd.Cancel = func() error { return cmd.Process.Signal(syscall.SIGTERM) }
	cmd.WaitDelay = 5 * time.Second
	d := &Driver{Stderr: &logcap.Log{}, cmd: cmd}
	cmd.Stderr = d.Stderr
	var err error
	if d.Stdin, err = cmd.StdinPipe(); err != nil {
		cancel()
		t.Fatal(err)
	}
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		cancel()
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		cancel()
		t.Fatal(err)
	}
	t.Cleanup(func() {
		if cmd.ProcessState == nil {
			_ = cmd.Process.Kill()
			_ = cmd.Wait()
		}
		cancel()
	})
	d.Lines = bufio.NewScanner(stdout)
	d.Lines.Buffer(make([]byte, 0, 1<<20), 16<<20)
	return d
}

// Wait waits for the script to exit, after its output has been read.
func (d *Driver) Wait() error {
	return d.cmd.Wait()
}
