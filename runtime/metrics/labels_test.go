package metrics

import (
	"fmt"
	"strings"
	"sync"
	"testing"

	dto "github.com/prometheus/client_model/go"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestLabelSetClamp(t *testing.T) {
	s := newLabelSet(2)
	tests := []struct{ in, want string }{
		{"", none},
		{"sales", "sales"},
		{"+15551234567", other}, // a phone number is never a label
		{"../plugins/x", other},
		{strings.Repeat("a", maxValue+1), other},
		{"Support.v2", "Support.v2"},
		{"third", other}, // beyond the cap
		{"sales", "sales"},
		{"third", other},
	}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			assert.Equal(t, tt.want, s.clamp(tt.in))
		})
	}
}

// labelValues returns the distinct values of label in family name.
func labelValues(t *testing.T, fams map[string]*dto.MetricFamily, name, label string) map[string]bool {
	t.Helper()
	f := fams[name]
	require.NotNil(t, f, "no family %s", name)
	vals := map[string]bool{}
	for _, s := range f.GetMetric() {
		for _, l := range s.GetLabel() {
			if l.GetName() == label {
				vals[l.GetValue()] = true
			}
		}
	}
	return vals
}

func TestCardinalityIsCapped(t *testing.T) {
	m := New()
	const agents = maxAgents + 36
	for i := range agents {
		a := fmt.Sprintf("agent-%03d", i)
		m.CallStarted(a)
		m.TurnCompleted(a, Providers{STT: fmt.Sprintf("stt-%03d", i)}, TurnTimings{}, false)
		m.PluginRestarted(fmt.Sprintf("plugin-%03d", i))
	}
	m.CallStarted("+15551234567")
	fams := families(t, m)

	got := labelValues(t, fams, "parley_calls_active", "agent")
	assert.Len(t, got, maxAgents+1, "the first %d agents and 'other'", maxAgents)
	assert.True(t, got["agent-000"] && got[fmt.Sprintf("agent-%03d", maxAgents-1)])
	assert.False(t, got[fmt.Sprintf("agent-%03d", maxAgents)])
	assert.False(t, got["+15551234567"])
	assert.Equal(t, float64(agents-maxAgents+1), value(t, fams, "parley_calls_active", "agent", other))
	assert.Equal(t, float64(agents-maxAgents), value(t, fams, "parley_turns_total", "agent", other))

	// Providers are plugins: both labels share one cap on plugin names.
	plugins := labelValues(t, fams, "parley_plugin_restarts_total", "plugin")
	for v := range labelValues(t, fams, "parley_stt_final_transcript_delay_seconds", "provider") {
		plugins[v] = true
	}
	assert.Len(t, plugins, maxPlugins+1, "the first %d plugin names and 'other'", maxPlugins)
	assert.Equal(t, map[string]bool{none: true}, labelValues(t, fams, "parley_chat_first_token_delay_seconds", "provider"))
}

// A refused name stays refused, so a gauge goes back to zero even for calls
// counted under "other".
func TestClampedGaugeBalances(t *testing.T) {
	m := New()
	for i := range maxAgents {
		m.CallStarted(fmt.Sprintf("agent-%03d", i))
	}
	m.CallStarted("late")
	m.CallFinished("late", "ENDED")
	fams := families(t, m)
	assert.Equal(t, 0.0, value(t, fams, "parley_calls_active", "agent", other))
	assert.Equal(t, 1.0, value(t, fams, "parley_calls_finished_total", "agent", other, "status", "ENDED"))
}

// Past maxCached inputs the caches stop growing, and counting goes on.
func TestCacheIsBounded(t *testing.T) {
	m := New()
	const n = maxCached + 100
	for i := range n {
		m.TurnCompleted(fmt.Sprintf("+1555%07d", i), sales, TurnTimings{}, false)
	}
	assert.Len(t, *m.agents.m.Load(), maxCached)
	assert.Len(t, *m.turnSeries.m.Load(), maxCached)
	assert.Equal(t, float64(n), value(t, families(t, m), "parley_turns_total", "agent", other))
}

func TestConcurrentUse(t *testing.T) {
	m := New()
	const workers, turns = 8, 500
	var wg sync.WaitGroup
	for w := range workers {
		wg.Go(func() {
			agent := fmt.Sprintf("agent-%d", w%3)
			for range turns {
				m.CallStarted(agent)
				m.TurnCompleted(agent, sales, TurnTimings{ResponseLatency: 1}, w%2 == 0)
				m.PluginError("espeak", KindTimeout)
				m.CallFinished(agent, "ENDED")
			}
		})
	}
	wg.Go(func() {
		for range 5 {
			scrape(t, m)
		}
	})
	wg.Wait()
	fams := families(t, m)
	var total, active float64
	for i := range 3 {
		a := fmt.Sprintf("agent-%d", i)
		total += value(t, fams, "parley_turns_total", "agent", a)
		active += value(t, fams, "parley_calls_active", "agent", a)
	}
	assert.Equal(t, float64(workers*turns), total)
	assert.Equal(t, 0.0, active)
	assert.Equal(t, float64(workers*turns), value(t, fams, "parley_plugin_errors_total", "kind", KindTimeout, "plugin", "espeak"))
}
