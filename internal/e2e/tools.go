package e2e

import (
	"os"
	"os/exec"
	"path/filepath"
	"testing"
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

// NPMCI installs playwright-core in dir from its package-lock.json when it
// is missing, skipping the test when npm is. It never downloads a browser:
// the drivers use Chromium.
func NPMCI(t testing.TB, dir string) {
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
