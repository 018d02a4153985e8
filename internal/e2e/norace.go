//go:build !race

package e2e

// Race reports whether the test binary has the race detector; pass it to
// BuildRuntime so the runtime under test gets it too.
const Race = false
