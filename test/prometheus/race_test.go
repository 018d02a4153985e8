//go:build race

package prometheus

// raceEnabled: this test binary has the race detector, so the runtime under
// test gets it too.
const raceEnabled = true
