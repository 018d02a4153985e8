package metrics

import (
	"bytes"
	"os/exec"
	"strings"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus/testutil/promlint"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// exercised returns Metrics with a sample of every series.
func exercised() *Metrics {
	m := New()
	m.CallStarted("sales")
	m.TurnCompleted("sales", sales, TurnTimings{
		STTFinal: time.Millisecond, ChatFirstToken: time.Millisecond, TTSFirstAudio: time.Millisecond,
		ResponseLatency: time.Millisecond, Overhead: time.Millisecond,
	}, true)
	m.CallFinished("sales", "ENDED")
	m.PeerConnected()
	m.PluginError("espeak", KindTimeout)
	m.PluginRestarted("espeak")
	m.Refused(RefusedMaxCalls)
	m.ToolCalled("sales", "lookup_order", ToolOK, 40*time.Millisecond)
	m.ToolCalled("sales", "made_up", ToolUnknown, 0)
	return m
}

// TestPromlint runs client_golang's linter, the rules of promtool check
// metrics, on every scrape, with or without promtool installed.
func TestPromlint(t *testing.T) {
	problems, err := promlint.New(strings.NewReader(scrape(t, exercised()))).Lint()
	require.NoError(t, err)
	assert.Empty(t, problems)
}

// TestPromtool runs `promtool check metrics` (Debian package prometheus) on
// a scrape.
func TestPromtool(t *testing.T) {
	path, err := exec.LookPath("promtool")
	if err != nil {
		t.Skip("promtool not found: install it with `apt-get install prometheus` (Debian package) to run this check")
	}
	cmd := exec.Command(path, "check", "metrics")
	cmd.Stdin = strings.NewReader(scrape(t, exercised()))
	var out bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &out
	require.NoError(t, cmd.Run(), "promtool check metrics:\n%s", out.String())
	assert.Empty(t, strings.TrimSpace(out.String()), "promtool check metrics reported problems")
}
