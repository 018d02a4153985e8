package metrics

import (
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
)

var timings = TurnTimings{
	STTFinal: 120 * time.Millisecond, ChatFirstToken: 300 * time.Millisecond, TTSFirstAudio: 40 * time.Millisecond,
	ResponseLatency: 1200 * time.Millisecond, Overhead: 3 * time.Millisecond,
}

// The audio path must not allocate once a label combination is known.
func TestSteadyStateDoesNotAllocate(t *testing.T) {
	m := New()
	tests := []struct {
		name string
		fn   func()
	}{
		{"TurnCompleted", func() { m.TurnCompleted("sales", sales, timings, true) }},
		{"CallStarted+CallFinished", func() { m.CallStarted("sales"); m.CallFinished("sales", "ENDED") }},
		{"Peer", func() { m.PeerConnected(); m.PeerDisconnected() }},
		{"PluginError", func() { m.PluginError("espeak", KindTimeout) }},
		{"PluginRestarted", func() { m.PluginRestarted("espeak") }},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			tt.fn() // first sight of the labels builds and caches the series
			assert.Zero(t, testing.AllocsPerRun(100, tt.fn))
		})
	}
}

func BenchmarkTurnCompleted(b *testing.B) {
	m := New()
	m.TurnCompleted("sales", sales, timings, false)
	b.ReportAllocs()
	for b.Loop() {
		m.TurnCompleted("sales", sales, timings, false)
	}
}

func BenchmarkTurnCompletedParallel(b *testing.B) {
	m := New()
	m.TurnCompleted("sales", sales, timings, false)
	b.ReportAllocs()
	b.RunParallel(func(pb *testing.PB) {
		for pb.Next() {
			m.TurnCompleted("sales", sales, timings, false)
		}
	})
}

func BenchmarkCallStartedFinished(b *testing.B) {
	m := New()
	b.ReportAllocs()
	for b.Loop() {
		m.CallStarted("sales")
		m.CallFinished("sales", "ENDED")
	}
}

func BenchmarkPluginError(b *testing.B) {
	m := New()
	b.ReportAllocs()
	for b.Loop() {
		m.PluginError("openai-chat", KindTimeout)
	}
}

func BenchmarkNil(b *testing.B) {
	var m *Metrics
	b.ReportAllocs()
	for b.Loop() {
		m.TurnCompleted("sales", sales, timings, false)
	}
}
