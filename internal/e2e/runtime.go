package e2e

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"
)

// Runtime is a parley runtime a test or benchmark launched.
type Runtime struct {
	*Process
	// Port is the loopback port it listens on.
	Port int
	// Base is its URL, http://127.0.0.1:Port with no trailing slash.
	Base string
}

// RuntimeOptions are the settings of a runtime to launch beyond its
// binary. LaunchRuntime takes them as they are; StartWith fills the zero
// ones with a test's defaults.
type RuntimeOptions struct {
	// Port is the loopback port to listen on (0: a free one; a restarted
	// instance behind a load balancer keeps its port).
	Port int
	// Dir is the working directory (StartWith: a fresh one).
	Dir string
	// DataDir is PARLEY_DATA_DIR (StartWith: a fresh one).
	DataDir string
	// AgentsDir is PARLEY_AGENTS_DIR (StartWith: the repository's agents/).
	AgentsDir string
	// VADDir is PARLEY_VAD_DIR; empty leaves it unset (StartWith: the
	// repository's bin/vad when `make vad` has filled it).
	VADDir string
	// Environ is the environment the runtime starts from (StartWith: PATH
	// and HOME only).
	Environ []string
	// Env comes last, so it overrides everything else (KEY=VALUE).
	Env []string
	// Output gets a copy of the runtime's log (Command.Output).
	Output io.Writer
	// Group and DieWithParent are Command's.
	Group, DieWithParent bool
	// ReadyTimeout is how long StartWith waits for /readyz (default 30 s).
	ReadyTimeout time.Duration
}

// LaunchRuntime starts the runtime binary bin on a free loopback port with
// o's directories and loopback-only WebRTC, then o.Env. It does not wait
// for it to be ready (Ready with rt.Base+"/readyz"); the caller stops it
// (Terminate).
func LaunchRuntime(bin string, o RuntimeOptions) (*Runtime, error) {
	port := o.Port
	if port == 0 {
		var err error
		if port, err = PickFreePort(); err != nil {
			return nil, err
		}
	}
	env := append(slices.Clip(o.Environ),
		fmt.Sprintf("PORT=%d", port),
		"PARLEY_HOST=127.0.0.1",
		"PARLEY_DATA_DIR="+o.DataDir,
		"PARLEY_AGENTS_DIR="+o.AgentsDir,
		"PARLEY_WEBRTC_LOOPBACK=true",
	)
	if o.VADDir != "" {
		env = append(env, "PARLEY_VAD_DIR="+o.VADDir)
	}
	env = append(env, o.Env...)
	scheme := "http"
	for _, kv := range o.Env {
		if strings.HasPrefix(kv, "PARLEY_TLS_CERT_FILE=") && kv != "PARLEY_TLS_CERT_FILE=" {
			scheme = "https"
		}
	}
	p, err := Launch(Command{Name: "runtime", Bin: bin, Dir: o.Dir, Env: env, Output: o.Output,
		Group: o.Group, DieWithParent: o.DieWithParent})
	if err != nil {
		return nil, err
	}
	return &Runtime{Process: p, Port: port, Base: fmt.Sprintf("%s://127.0.0.1:%d", scheme, port)}, nil
}

// Start runs the runtime binary bin on a free loopback port with the
// repository's agents, a fresh data directory, loopback-only WebRTC, JSON
// logs and, when `make vad` has fetched it, the Silero VAD (else the runtime
// falls back to its energy detector); env comes last and so overrides any
// of these. It returns once GET /readyz answers 200; the runtime is stopped
// when the test ends.
func Start(t testing.TB, bin string, env ...string) *Runtime {
	t.Helper()
	return StartWith(t, bin, RuntimeOptions{Env: env})
}

// StartWith is Start with options: their zero fields get Start's
// defaults, and o.Env follows PARLEY_LOG_FORMAT=json.
func StartWith(t testing.TB, bin string, o RuntimeOptions) *Runtime {
	t.Helper()
	if o.Dir == "" {
		o.Dir = t.TempDir()
	}
	if o.DataDir == "" {
		o.DataDir = t.TempDir()
	}
	if o.AgentsDir == "" {
		o.AgentsDir = filepath.Join(Root(t), "agents")
	}
	if o.VADDir == "" {
		if vad := filepath.Join(Root(t), "bin", "vad"); fileExists(filepath.Join(vad, "silero_vad.onnx")) {
			o.VADDir = vad
		} else {
			t.Logf("%s has no Silero model (make vad): the runtime uses its energy VAD", vad)
		}
	}
	if o.Environ == nil {
		o.Environ = testEnv(nil)
	}
	o.Env = append([]string{"PARLEY_LOG_FORMAT=json"}, o.Env...)
	if o.ReadyTimeout == 0 {
		o.ReadyTimeout = 30 * time.Second
	}
	rt, err := LaunchRuntime(bin, o)
	if err != nil {
		t.Fatal(err)
	}
	rt.cleanup(t)
	rt.WaitReady(t, rt.Base+"/readyz", o.ReadyTimeout)
	return rt
}

// RSS returns the runtime process's resident memory in bytes (Linux).
func (rt *Runtime) RSS(t testing.TB) int64 {
	t.Helper()
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/status", rt.PID()))
	if err != nil {
		t.Fatal(err)
	}
	for _, line := range strings.Split(string(b), "\n") {
		if rest, ok := strings.CutPrefix(line, "VmRSS:"); ok {
			kb, err := strconv.ParseInt(strings.TrimSuffix(strings.TrimSpace(rest), " kB"), 10, 64)
			if err != nil {
				t.Fatal(err)
			}
			return kb << 10
		}
	}
	t.Fatalf("no VmRSS in /proc/%d/status", rt.PID())
	return 0
}

// Get returns the body of GET path, failing the test unless it answers
// 200.
func (rt *Runtime) Get(t testing.TB, path string) []byte {
	t.Helper()
	res, err := http.Get(rt.Base + path)
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
	return b
}

func fileExists(path string) bool {
	_, err := os.Stat(path)
	return err == nil
}

// API sends a request to the runtime's REST API, body as JSON (none when
// empty), and returns the data of its success envelope, failing the test
// on any other answer.
func (rt *Runtime) API(t testing.TB, method, path, body string) map[string]any {
	t.Helper()
	return API(t, rt.Base, nil, method, path, body)
}

// API is Runtime.API on the server at base (a load balancer) with header
// added to the request.
func API(t testing.TB, base string, header http.Header, method, path, body string) map[string]any {
	t.Helper()
	req, err := http.NewRequestWithContext(context.Background(), method, base+path, strings.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	for k, vs := range header {
		req.Header[k] = vs
	}
	if body != "" {
		req.Header.Set("Content-Type", "application/json")
	}
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	var out map[string]any
	if err := json.NewDecoder(res.Body).Decode(&out); err != nil {
		t.Fatalf("%s %s: %s: %v", method, path, res.Status, err)
	}
	if out["success"] != true {
		t.Fatalf("%s %s: %v", method, path, out)
	}
	data, _ := out["data"].(map[string]any)
	return data
}
