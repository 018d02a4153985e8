package e2e

import (
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// chromiumPath is Debian's Chromium, which the .mjs drivers launch.
const chromiumPath = "/usr/bin/chromium"

// Chromium returns Debian's Chromium, skipping the test when it is missing.
func Chromium(t testing.TB) string {
	t.Helper()
	if _, err := os.Stat(chromiumPath); err != nil {
		t.Skipf("%s is missing: apt-get install chromium (the Makefile's APT_PACKAGES has it)", chromiumPath)
	}
	return chromiumPath
}

// Node returns the node executable, skipping the test when it is missing.
func Node(t testing.TB) string {
	t.Helper()
	node, err := exec.LookPath("node")
	if err != nil {
		t.Skip("node is not installed: apt-get install nodejs npm")
	}
	return node
}

// NPMCI installs dir's packages (playwright-core, socket.io-client) from
// its package-lock.json when they are missing, skipping the test when npm
// is. It never downloads a browser: the drivers use Chromium.
func NPMCI(t testing.TB, dir string) {
	t.Helper()
	if _, err := os.Stat(filepath.Join(dir, "node_modules", ".package-lock.json")); err == nil {
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

// NodeTest runs node --test in dir (its packages installed by NPMCI) with
// env added to this process's environment, on files (default: every test
// file there), and fails t if a test fails; it logs node's report.
func NodeTest(t testing.TB, dir string, env []string, files ...string) {
	t.Helper()
	node := Node(t)
	NPMCI(t, dir)
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
	defer cancel()
	args := []string{"--test", "--test-reporter=spec"}
	// Once every test has reported, exit even if a socket's handle keeps
	// the event loop alive (seen once under load: all tests passed, then
	// node hung until the deadline). Node 20.10+ has the flag.
	if help, err := exec.Command(node, "--help").Output(); err == nil && strings.Contains(string(help), "--test-force-exit") {
		args = append(args, "--test-force-exit")
	}
	cmd := exec.CommandContext(ctx, node, append(args, files...)...)
	cmd.Dir = dir
	cmd.Env = append(os.Environ(), env...)
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("node --test: %v\n%s", err, out)
	}
	t.Logf("node --test:\n%s", out)
}
