package metrics

import (
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	dto "github.com/prometheus/client_model/go"
	"github.com/prometheus/common/expfmt"
	"github.com/prometheus/common/model"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// scrape GETs m's handler over HTTP and returns the exposition text.
func scrape(t *testing.T, m *Metrics) string {
	t.Helper()
	srv := httptest.NewServer(m.Handler())
	defer srv.Close()
	resp, err := http.Get(srv.URL)
	require.NoError(t, err)
	defer resp.Body.Close()
	require.Equal(t, http.StatusOK, resp.StatusCode)
	require.Contains(t, resp.Header.Get("Content-Type"), "text/plain")
	b, err := io.ReadAll(resp.Body)
	require.NoError(t, err)
	return string(b)
}

// families scrapes m and parses the exposition.
func families(t *testing.T, m *Metrics) map[string]*dto.MetricFamily {
	t.Helper()
	p := expfmt.NewTextParser(model.UTF8Validation)
	fams, err := p.TextToMetricFamilies(strings.NewReader(scrape(t, m)))
	require.NoError(t, err)
	return fams
}

// series returns the sample of family name whose labels are exactly
// labels (name=value pairs), or nil.
func series(fams map[string]*dto.MetricFamily, name string, labels ...string) *dto.Metric {
	f := fams[name]
	if f == nil {
		return nil
	}
	for _, s := range f.GetMetric() {
		if len(s.GetLabel())*2 != len(labels) {
			continue
		}
		match := true
		for i, l := range s.GetLabel() {
			if l.GetName() != labels[2*i] || l.GetValue() != labels[2*i+1] {
				match = false
			}
		}
		if match {
			return s
		}
	}
	return nil
}

// value returns the counter or gauge value of a series; it fails the test
// when there is no such series.
func value(t *testing.T, fams map[string]*dto.MetricFamily, name string, labels ...string) float64 {
	t.Helper()
	s := series(fams, name, labels...)
	require.NotNil(t, s, "no series %s%v", name, labels)
	switch fams[name].GetType() {
	case dto.MetricType_COUNTER:
		return s.GetCounter().GetValue()
	case dto.MetricType_GAUGE:
		return s.GetGauge().GetValue()
	}
	t.Fatalf("%s is a %s", name, fams[name].GetType())
	return 0
}

// histogram returns a histogram series; it fails the test when there is none.
func histogram(t *testing.T, fams map[string]*dto.MetricFamily, name string, labels ...string) *dto.Histogram {
	t.Helper()
	s := series(fams, name, labels...)
	require.NotNil(t, s, "no series %s%v", name, labels)
	return s.GetHistogram()
}

// bucket returns the cumulative count of h's bucket with upper bound le.
func bucket(t *testing.T, h *dto.Histogram, le float64) uint64 {
	t.Helper()
	for _, b := range h.GetBucket() {
		if b.GetUpperBound() == le {
			return b.GetCumulativeCount()
		}
	}
	t.Fatalf("no bucket le=%g", le)
	return 0
}

var sales = Providers{STT: "openai-stt", Chat: "openai-chat", TTS: "espeak"}

func TestTurnCompleted(t *testing.T) {
	m := New()
	m.TurnCompleted("sales", sales, TurnTimings{
		STTFinal:        120 * time.Millisecond,
		ChatFirstToken:  300 * time.Millisecond,
		TTSFirstAudio:   40 * time.Millisecond,
		ResponseLatency: 1200 * time.Millisecond,
		Overhead:        3 * time.Millisecond,
	}, false)
	m.TurnCompleted("sales", sales, TurnTimings{
		ResponseLatency: 900 * time.Millisecond,
		Overhead:        -5 * time.Millisecond, // overlapping stages: observed as 0
	}, true)
	fams := families(t, m)

	assert.Equal(t, 2.0, value(t, fams, "parley_turns_total", "agent", "sales"))
	assert.Equal(t, 1.0, value(t, fams, "parley_turn_interruptions_total", "agent", "sales"))

	tests := []struct {
		name, provider string
		count          uint64
		sum            float64
		le             float64 // the first bucket holding the first observation
		below          float64 // the bucket before it
	}{
		{"parley_stt_final_transcript_delay_seconds", "openai-stt", 1, 0.12, 0.15, 0.1},
		{"parley_chat_first_token_delay_seconds", "openai-chat", 1, 0.3, 0.3, 0.25},
		{"parley_tts_first_audio_delay_seconds", "espeak", 1, 0.04, 0.05, 0.025},
		{"parley_turn_response_latency_seconds", "", 2, 2.1, 1, 0.75},
		{"parley_turn_overhead_seconds", "", 2, 0.003, 0.001, 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			labels := []string{"agent", "sales"}
			if tt.provider != "" {
				labels = append(labels, "provider", tt.provider)
			}
			h := histogram(t, fams, tt.name, labels...)
			assert.Equal(t, tt.count, h.GetSampleCount())
			assert.InDelta(t, tt.sum, h.GetSampleSum(), 1e-9)
			assert.Equal(t, uint64(1), bucket(t, h, tt.le))
			if tt.below > 0 {
				assert.Equal(t, uint64(0), bucket(t, h, tt.below))
			}
		})
	}
}

func TestTurnCompletedSkipsUnmeasured(t *testing.T) {
	m := New()
	m.TurnCompleted("sales", sales, TurnTimings{ChatFirstToken: time.Second}, false)
	fams := families(t, m)
	assert.Equal(t, uint64(0), histogram(t, fams, "parley_stt_final_transcript_delay_seconds", "agent", "sales", "provider", "openai-stt").GetSampleCount())
	assert.Equal(t, uint64(1), histogram(t, fams, "parley_chat_first_token_delay_seconds", "agent", "sales", "provider", "openai-chat").GetSampleCount())
	assert.Equal(t, uint64(0), histogram(t, fams, "parley_turn_response_latency_seconds", "agent", "sales").GetSampleCount())
	assert.Equal(t, uint64(0), histogram(t, fams, "parley_turn_overhead_seconds", "agent", "sales").GetSampleCount())
	assert.Equal(t, 0.0, value(t, fams, "parley_turn_interruptions_total", "agent", "sales"))
}

func TestCalls(t *testing.T) {
	m := New()
	m.CallStarted("sales")
	m.CallStarted("sales")
	m.CallStarted("sales")
	m.CallStarted("support")
	m.CallFinished("sales", "ENDED")
	m.CallFinished("sales", "FAILED")
	m.CallFinished("support", "IN_PROGRESS") // not a final status
	fams := families(t, m)

	assert.Equal(t, 1.0, value(t, fams, "parley_calls_active", "agent", "sales"))
	assert.Equal(t, 0.0, value(t, fams, "parley_calls_active", "agent", "support"))
	assert.Equal(t, 1.0, value(t, fams, "parley_calls_finished_total", "agent", "sales", "status", "ENDED"))
	assert.Equal(t, 1.0, value(t, fams, "parley_calls_finished_total", "agent", "sales", "status", "FAILED"))
	assert.Equal(t, 0.0, value(t, fams, "parley_calls_finished_total", "agent", "support", "status", "ENDED"))
	assert.Equal(t, 1.0, value(t, fams, "parley_calls_finished_total", "agent", "support", "status", "other"))
	assert.Nil(t, series(fams, "parley_calls_finished_total", "agent", "sales", "status", "other"), "no 'other' series until one is seen")
}

func TestPeers(t *testing.T) {
	m := New()
	m.PeerConnected()
	m.PeerConnected()
	m.PeerDisconnected()
	assert.Equal(t, 1.0, value(t, families(t, m), "parley_webrtc_peers_connected"))
}

func TestPlugins(t *testing.T) {
	m := New()
	m.PluginError("openai-chat", KindTimeout)
	m.PluginError("openai-chat", KindTimeout)
	m.PluginError("openai-chat", KindUnavailable)
	m.PluginError("openai-chat", "disk on fire") // not a kind
	m.PluginRestarted("openai-chat")
	m.PluginRestarted("espeak")
	m.PluginRestarted("../plugins/acme-stt") // a plugin by path, named as the host names it
	fams := families(t, m)

	assert.Equal(t, 2.0, value(t, fams, "parley_plugin_errors_total", "kind", KindTimeout, "plugin", "openai-chat"))
	assert.Equal(t, 1.0, value(t, fams, "parley_plugin_errors_total", "kind", KindUnavailable, "plugin", "openai-chat"))
	assert.Equal(t, 1.0, value(t, fams, "parley_plugin_errors_total", "kind", KindOther, "plugin", "openai-chat"))
	assert.Equal(t, 0.0, value(t, fams, "parley_plugin_errors_total", "kind", KindRateLimited, "plugin", "espeak"))
	assert.Len(t, fams["parley_plugin_errors_total"].GetMetric(), 3*len(kinds), "every kind of the three plugins, nothing else")
	assert.Equal(t, 1.0, value(t, fams, "parley_plugin_restarts_total", "plugin", "openai-chat"))
	assert.Equal(t, 1.0, value(t, fams, "parley_plugin_restarts_total", "plugin", "espeak"))
	assert.Equal(t, 1.0, value(t, fams, "parley_plugin_restarts_total", "plugin", "acme-stt"))
}

func TestHandlerServesRuntimeCollectors(t *testing.T) {
	fams := families(t, New())
	for _, name := range []string{"go_goroutines", "process_cpu_seconds_total", "promhttp_metric_handler_requests_total"} {
		assert.Contains(t, fams, name)
	}
	for name, f := range fams {
		if strings.HasPrefix(name, "parley_") {
			assert.NotEmpty(t, f.GetHelp(), "%s has no HELP", name)
		}
	}
}

func TestNilMetrics(t *testing.T) {
	var m *Metrics
	assert.NotPanics(t, func() {
		m.TurnCompleted("sales", sales, TurnTimings{ResponseLatency: time.Second}, true)
		m.CallStarted("sales")
		m.CallFinished("sales", "ENDED")
		m.PeerConnected()
		m.PeerDisconnected()
		m.PluginError("espeak", KindTimeout)
		m.PluginRestarted("espeak")
	})
	rec := httptest.NewRecorder()
	m.Handler().ServeHTTP(rec, httptest.NewRequest(http.MethodGet, "/metrics", nil))
	assert.Equal(t, http.StatusNotFound, rec.Code)
}

func TestSentiment(t *testing.T) {
	m := New()
	m.Sentiment("default", "positive")
	m.Sentiment("default", "positive")
	m.Sentiment("default", "angry")
	value := func(c prometheus.Counter) float64 {
		var d dto.Metric
		if err := c.Write(&d); err != nil {
			t.Fatal(err)
		}
		return d.GetCounter().GetValue()
	}
	if got := value(m.sentiments.WithLabelValues("default", "positive")); got != 2 {
		t.Errorf("positive = %v", got)
	}
	if got := value(m.sentiments.WithLabelValues("default", "other")); got != 1 {
		t.Errorf("other = %v", got)
	}
	var nilM *Metrics
	nilM.Sentiment("a", "positive")
}

func TestRefused(t *testing.T) {
	m := New()
	m.Refused(RefusedMaxCalls)
	m.Refused(RefusedMaxCalls)
	m.Refused(RefusedDraining)
	m.Refused("made up")
	fams := families(t, m)
	assert.Equal(t, 2.0, value(t, fams, "parley_refused_total", "reason", "max_calls"))
	assert.Equal(t, 1.0, value(t, fams, "parley_refused_total", "reason", "draining"))
	assert.Equal(t, 1.0, value(t, fams, "parley_refused_total", "reason", "other"))
	var nilMetrics *Metrics
	nilMetrics.Refused(RefusedProcessing)
}
