package e2e

import (
	"fmt"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"
)

// Runtime is a parley runtime the test started.
type Runtime struct {
	*Process
	// Port is the loopback port it listens on.
	Port int
	// Base is its URL, http://127.0.0.1:Port with no trailing slash.
	Base string
}

// Start runs the runtime binary bin on a free loopback port with the
// repository's agents, a fresh data directory, loopback-only WebRTC, JSON
// logs and, when `make vad` has fetched it, the Silero VAD (else the runtime
// falls back to its energy detector); env comes last and so overrides any
// of these. It returns once GET /readyz answers 200; the runtime is stopped
// when the test ends.
func Start(t testing.TB, bin string, env ...string) *Runtime {
	t.Helper()
	root := Root(t)
	port := FreePort(t)
	base := []string{
		fmt.Sprintf("PORT=%d", port),
		"PARLEY_HOST=127.0.0.1",
		"PARLEY_DATA_DIR=" + t.TempDir(),
		"PARLEY_AGENTS_DIR=" + filepath.Join(root, "agents"),
		"PARLEY_WEBRTC_LOOPBACK=true",
		"PARLEY_LOG_FORMAT=json",
	}
	if vad := filepath.Join(root, "bin", "vad"); fileExists(filepath.Join(vad, "silero_vad.onnx")) {
		base = append(base, "PARLEY_VAD_DIR="+vad)
	} else {
		t.Logf("%s has no Silero model (make vad): the runtime uses its energy VAD", vad)
	}
	scheme := "http"
	for _, kv := range env {
		if strings.HasPrefix(kv, "PARLEY_TLS_CERT_FILE=") && kv != "PARLEY_TLS_CERT_FILE=" {
			scheme = "https"
		}
	}
	rt := &Runtime{
		Process: StartProcess(t, "runtime", bin, nil, append(base, env...)),
		Port:    port,
		Base:    fmt.Sprintf("%s://127.0.0.1:%d", scheme, port),
	}
	rt.WaitReady(t, rt.Base+"/readyz", 30*time.Second)
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
