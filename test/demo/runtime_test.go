package demo

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"
)

// npmCI installs playwright-core from package-lock.json when it is missing.
// It never downloads a browser: demo.mjs uses /usr/bin/chromium.
func npmCI(t *testing.T, dir string) {
	t.Helper()
	if _, err := os.Stat(filepath.Join(dir, "node_modules", "playwright-core", "package.json")); err == nil {
		return
	}
	if _, err := exec.LookPath("npm"); err != nil {
		t.Skip("npm is not installed (it installs playwright-core): apt-get install npm")
	}
	cmd := exec.Command("npm", "ci", "--no-audit", "--no-fund")
	cmd.Dir = dir
	cmd.Env = append(os.Environ(), "PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD=1")
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("npm ci in %s: %v\n%s", dir, err, out)
	}
}

// buildRuntime builds the runtime as dir/parley and every plugin into
// dir/plugins, the layout `make build` produces, concurrently. The runtime
// gets the race detector when this test has it.
func buildRuntime(t *testing.T, root, dir string) {
	t.Helper()
	entries, err := os.ReadDir(filepath.Join(root, "plugins"))
	if err != nil {
		t.Fatal(err)
	}
	pkgs := []string{}
	for _, e := range entries {
		if e.IsDir() && e.Name() != "internal" {
			pkgs = append(pkgs, "./plugins/"+e.Name())
		}
	}
	runtimeArgs := []string{"build", "-o", filepath.Join(dir, "parley")}
	if raceEnabled {
		runtimeArgs = append(runtimeArgs, "-race")
	}
	builds := [][]string{
		append(runtimeArgs, "./cmd/runtime"),
		// One go build for all plugins: with -o naming a directory, each
		// main package becomes dir/plugins/<its directory name>.
		append([]string{"build", "-o", filepath.Join(dir, "plugins") + string(filepath.Separator)}, pkgs...),
	}
	var wg sync.WaitGroup
	errs := make([]error, len(builds))
	for i, args := range builds {
		wg.Add(1)
		go func() {
			defer wg.Done()
			cmd := exec.Command("go", args...)
			cmd.Dir = root
			if out, err := cmd.CombinedOutput(); err != nil {
				errs[i] = fmt.Errorf("go %s: %w\n%s", strings.Join(args, " "), err, out)
			}
		}()
	}
	wg.Wait()
	if err := errors.Join(errs...); err != nil {
		t.Fatal(err)
	}
}

// runtimeProc is the runtime under test.
type runtimeProc struct {
	base string
	logs *logBuffer
}

// startRuntime starts the runtime on a free loopback port with the
// repository's agents, loopback-only WebRTC and, when `make vad` has
// fetched it, the Silero VAD (else the runtime falls back to its energy
// detector).
func startRuntime(t *testing.T, bin, root string) *runtimeProc {
	t.Helper()
	root, err := filepath.Abs(root)
	if err != nil {
		t.Fatal(err)
	}
	port := freePort(t)
	cmd := exec.Command(bin)
	cmd.Dir = t.TempDir() // no .env from the developer's tree
	cmd.Env = []string{
		"PATH=" + os.Getenv("PATH"),
		"HOME=" + os.Getenv("HOME"),
		fmt.Sprintf("PORT=%d", port),
		"PARLEY_HOST=127.0.0.1",
		"PARLEY_DATA_DIR=" + t.TempDir(),
		"PARLEY_AGENTS_DIR=" + filepath.Join(root, "agents"),
		"PARLEY_WEBRTC_LOOPBACK=true",
		"PARLEY_LOG_FORMAT=json",
		"PARLEY_LOG_LEVEL=debug",
	}
	if vad := filepath.Join(root, "bin", "vad"); fileExists(filepath.Join(vad, "silero_vad.onnx")) {
		cmd.Env = append(cmd.Env, "PARLEY_VAD_DIR="+vad)
	} else {
		t.Logf("%s has no Silero model (make vad): the runtime uses its energy VAD", vad)
	}
	logs := &logBuffer{}
	cmd.Stdout, cmd.Stderr = logs, logs
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	exited := make(chan struct{})
	go func() { _ = cmd.Wait(); close(exited) }()
	t.Cleanup(func() {
		// SIGTERM lets the runtime stop its plugins; SIGKILL if it hangs.
		_ = cmd.Process.Signal(syscall.SIGTERM)
		select {
		case <-exited:
		case <-time.After(5 * time.Second):
			_ = cmd.Process.Kill()
			<-exited
		}
	})
	rt := &runtimeProc{base: fmt.Sprintf("http://127.0.0.1:%d", port), logs: logs}
	deadline := time.Now().Add(20 * time.Second)
	for {
		res, err := http.Get(rt.base + "/readyz")
		if err == nil {
			res.Body.Close()
			if res.StatusCode == http.StatusOK {
				return rt
			}
		}
		select {
		case <-exited:
			t.Fatalf("runtime exited before it was ready; log:\n%s", logs.tail(60))
		case <-time.After(25 * time.Millisecond):
		}
		if time.Now().After(deadline) {
			t.Fatalf("runtime not ready after 20 s; log:\n%s", logs.tail(60))
		}
	}
}

func fileExists(path string) bool {
	_, err := os.Stat(path)
	return err == nil
}

// get decodes the data of a 200 response's envelope into v.
func (rt *runtimeProc) get(t *testing.T, path string, v any) {
	t.Helper()
	res, err := http.Get(rt.base + path)
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	b, err := io.ReadAll(res.Body)
	if err != nil {
		t.Fatal(err)
	}
	if res.StatusCode != http.StatusOK {
		t.Fatalf("GET %s: %s: %s", path, res.Status, b)
	}
	env := struct {
		Data any `json:"data"`
	}{Data: v}
	if err := json.Unmarshal(b, &env); err != nil {
		t.Fatalf("GET %s: %v: %s", path, err, b)
	}
}

// call returns the call's status and end reason.
func (rt *runtimeProc) call(t *testing.T, id string) (status, reason string) {
	t.Helper()
	var data struct {
		Call struct {
			Status    string `json:"status"`
			EndReason string `json:"endReason"`
		} `json:"call"`
	}
	rt.get(t, "/api/v1/calls/"+id, &data)
	return data.Call.Status, data.Call.EndReason
}

// callCount is how many calls the runtime has stored.
func (rt *runtimeProc) callCount(t *testing.T) int {
	t.Helper()
	var data struct {
		Pagination struct {
			Total int `json:"total"`
		} `json:"pagination"`
	}
	rt.get(t, "/api/v1/calls?limit=1", &data)
	return data.Pagination.Total
}

func (rt *runtimeProc) history(t *testing.T, id string) []historyTurn {
	t.Helper()
	var data struct {
		Turns []historyTurn `json:"turns"`
	}
	rt.get(t, "/api/v1/calls/"+id+"/history", &data)
	return data.Turns
}

func freePort(t *testing.T) int {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	return ln.Addr().(*net.TCPAddr).Port
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

func (l *logBuffer) tail(n int) string {
	l.mu.Lock()
	defer l.mu.Unlock()
	lines := strings.Split(strings.TrimRight(l.b.String(), "\n"), "\n")
	if len(lines) > n {
		lines = lines[len(lines)-n:]
	}
	return strings.Join(lines, "\n")
}
