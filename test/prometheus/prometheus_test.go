// Package prometheus checks the monitoring the deploy/ directory ships
// against a freshly built parley runtime and a real Prometheus server
// (Debian's prometheus package): the Grafana dashboard's every query is
// evaluated by Prometheus on metrics from real calls, the runtime's
// exposition passes promtool check metrics, and the scrape configuration
// passes promtool check config. Grafana and Docker are not available here:
// their files are checked for structure and wiring only.
package prometheus

import (
	"bytes"
	"context"
	"fmt"
	"math"
	"net/http"
	"os"
	"os/exec"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/parleyhq/parley/internal/e2e"
)

// TestDashboardOnRealPrometheus builds the runtime, scrapes it with a real
// Prometheus every second (the shipped scrape job), makes real calls to the
// offline default agent over WebRTC, and evaluates every query of the
// Grafana dashboard through Prometheus's HTTP API. The calls:
//
//   - a caller asks about an order (flite speech, heard by pocketsphinx),
//     talks over the agent's answer (barge-in) to ask for the opening
//     hours, hears that answer and is hung up with POST /end: two turns,
//     one interrupted, sentiment, stage latencies, ENDED;
//   - a caller who hangs up at once (leave-session): ENDED;
//   - a caller whose media never connects: FAILED after the media timeout.
func TestDashboardOnRealPrometheus(t *testing.T) {
	if testing.Short() {
		t.Skip("builds the runtime, runs Prometheus and holds real calls")
	}
	for _, bin := range []string{prometheusBin, promtoolBin} {
		if _, err := os.Stat(bin); err != nil {
			t.Skipf("%s is missing: apt-get install prometheus (the Makefile's APT_PACKAGES has it)", bin)
		}
	}
	if _, err := exec.LookPath("flite"); err != nil {
		t.Skip("flite is missing: apt-get install flite (the Makefile's APT_PACKAGES has it)")
	}
	begin := time.Now()
	d := loadDashboard(t)
	bin := buildRuntime(t)
	built := time.Since(begin)

	const mediaTimeout = 6 * time.Second
	rt := e2e.Start(t, bin, fmt.Sprintf("PARLEY_CALL_MEDIA_TIMEOUT=%s", mediaTimeout))
	prom := startPrometheus(t, scrapeConfig(t, fmt.Sprintf("127.0.0.1:%d", rt.Port), "open-mode-ignores-this-key"))
	order := e2e.Speech48k(t, "Where is my order? It has not arrived yet.")
	hours := e2e.Speech48k(t, "What are your opening hours?")
	prom.waitReady(t)
	prom.waitValue(t, "the runtime is scraped", `up{job="parley"}`, func(v float64) bool { return v == 1 })
	ready := time.Since(begin)

	// The caller whose media never connects first: its media timeout runs
	// during the other calls.
	silent := dial(t, rt, false)
	quitter := dial(t, rt, true)
	quitter.startMic()
	talker := dial(t, rt, true)
	talker.startMic()
	quitter.leave()
	quitter.wait("call-status", 1, func(m map[string]any) bool { return m["status"] == "ENDED" })
	prom.waitValue(t, "two calls were active at once", `max_over_time(sum(parley_calls_active)[1m:1s])`, func(v float64) bool { return v >= 2 })

	// The greeting, then the question; the answer comes, the caller
	// interrupts it with another question, which is answered in full.
	talker.wait("agent-speaking", 1, func(m map[string]any) bool { return m["state"] == "stop" })
	<-talker.say(order)
	final := talker.wait("transcript", 1, func(m map[string]any) bool { return m["final"] == true })
	t.Logf("caller said %q", final["text"])
	talker.wait("agent-speaking", 2, func(m map[string]any) bool { return m["state"] == "start" })
	talker.say(hours)
	talker.wait("agent-speaking", 1, func(m map[string]any) bool { return m["state"] == "interrupted" })
	cut := talker.wait("agent-response", 1, func(m map[string]any) bool { return m["final"] == true && m["interrupted"] == true })
	t.Logf("agent interrupted after %q", cut["text"])
	final = talker.wait("transcript", 2, func(m map[string]any) bool { return m["final"] == true })
	t.Logf("caller said %q", final["text"])
	// Final answers not interrupted: the greeting, then this one.
	answer := talker.wait("agent-response", 2, func(m map[string]any) bool { return m["final"] == true && m["interrupted"] != true })
	t.Logf("agent answered %q", answer["text"])
	prom.waitValue(t, "two turns", `sum(parley_turns_total)`, func(v float64) bool { return v >= 2 })
	prom.waitValue(t, "one interrupted", `sum(parley_turn_interruptions_total)`, func(v float64) bool { return v >= 1 })
	apiCall(t, rt, http.MethodPost, "/api/v1/calls/"+talker.id+"/end", "")

	require.Eventually(t, func() bool { return silent.status() == "FAILED" }, mediaTimeout+10*time.Second, 50*time.Millisecond,
		"the call without media fails after PARLEY_CALL_MEDIA_TIMEOUT")
	prom.waitValue(t, "two calls ENDED", `sum(parley_calls_finished_total{status="ENDED"})`, func(v float64) bool { return v >= 2 })
	prom.waitValue(t, "one FAILED", `sum(parley_calls_finished_total{status="FAILED"})`, func(v float64) bool { return v >= 1 })
	prom.waitValue(t, "no call active", `sum(parley_calls_active)`, func(v float64) bool { return v == 0 })
	prom.waitValue(t, "no peer connected", `sum(parley_webrtc_peers_connected)`, func(v float64) bool { return v == 0 })
	called := time.Since(begin)

	// The runtime's exposition after real calls passes promtool's lint.
	checkMetrics(t, rt)

	// Grafana's agent variable: label_values(parley_turns_total, agent).
	require.Equal(t, []string{"default"}, prom.labelValues(t, "parley_turns_total", "agent"))

	// Every panel query evaluates; all but the plugin, refusal, fault and
	// webhook panels (no plugin failed or restarted, no call was refused,
	// the agent has no webhooks) return a number.
	results := map[string][]sample{} // panel title/refId
	for _, q := range d.queries() {
		expr := q.promQL(t)
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		samples, warnings, err := prom.query(ctx, expr)
		cancel()
		require.NoError(t, err, "%s\nevaluated as %s", q, expr)
		require.Empty(t, warnings, "%s", q)
		results[q.panel+"/"+q.refID] = samples
		var values []string
		finite := 0
		for _, s := range samples {
			if !math.IsNaN(s.Value) && !math.IsInf(s.Value, 0) {
				finite++
			}
			values = append(values, fmt.Sprintf("%v=%.4g", s.Metric, s.Value))
		}
		t.Logf("%-45s %s: %s", q.panel, q.refID, strings.Join(values, " "))
		quiet := strings.Contains(q.expr, "parley_plugin_") || strings.Contains(q.expr, "parley_refused_") ||
			strings.Contains(q.expr, "parley_panics_") || strings.Contains(q.expr, "parley_store_errors_") ||
			strings.Contains(q.expr, "parley_webhook_deliveries_")
		if !quiet || strings.Contains(q.expr, "or vector(0)") {
			require.NotZero(t, finite, "%s\nevaluated as %s returned no number: %v", q, expr, values)
		}
	}

	// The core panels show the calls above.
	panelValue := func(key string, labels map[string]string) float64 {
		t.Helper()
		samples, ok := results[key]
		require.True(t, ok, "no panel query %s", key)
		for _, s := range samples {
			match := true
			for k, v := range labels {
				match = match && s.Metric[k] == v
			}
			if match {
				return s.Value
			}
		}
		t.Fatalf("%s has no series %v: %v", key, labels, samples)
		return 0
	}
	inRange := func(what string, v, lo, hi float64) {
		t.Helper()
		require.True(t, v >= lo && v <= hi, "%s = %v, want %v..%v", what, v, lo, hi)
	}
	inRange("turns", panelValue("Turns/A", nil), 1.5, 3)
	inRange("interrupted share", panelValue("Interrupted turns/A", nil), 0.2, 0.8)
	inRange("ENDED per minute", panelValue("Finished calls per minute by final status/A", map[string]string{"status": "ENDED"}), 0.1, 10)
	inRange("FAILED per minute", panelValue("Finished calls per minute by final status/A", map[string]string{"status": "FAILED"}), 0.1, 10)
	// The response latency includes the default agent's end-of-turn wait,
	// adaptive but at least min_silence (200 ms): no quantile can be below
	// the 0.2 s bucket (and a panel in milliseconds would be far above 10).
	for _, ref := range []string{"A", "B", "C"} {
		inRange("response latency "+ref, panelValue("End of speech -> first audio (p50, p95, p99)/"+ref, map[string]string{"agent": "default"}), 0.2, 10)
	}
	for ref, provider := range map[string]string{"A": "pocketsphinx", "B": "scripted", "C": "espeak"} {
		inRange(provider+" p95", panelValue("Stage latency by provider (p95)/"+ref, map[string]string{"provider": provider}), 0, 10)
	}
	inRange("calls in progress", panelValue("Calls in progress/A", nil), 0, 0)
	t.Logf("built in %v, runtime and Prometheus ready at %v, calls done at %v, whole test %v",
		built.Round(time.Millisecond), ready.Round(time.Millisecond), called.Round(time.Millisecond), time.Since(begin).Round(time.Millisecond))
}

// checkMetrics runs promtool check metrics on a scrape of the runtime.
func checkMetrics(t *testing.T, rt *e2e.Runtime) {
	t.Helper()
	res, err := http.Get(rt.Base + "/metrics")
	require.NoError(t, err)
	defer res.Body.Close()
	require.Equal(t, http.StatusOK, res.StatusCode)
	var body bytes.Buffer
	_, err = body.ReadFrom(res.Body)
	require.NoError(t, err)
	require.Contains(t, body.String(), `parley_turns_total{agent="default"}`)
	cmd := exec.Command(promtoolBin, "check", "metrics")
	cmd.Stdin = &body
	out, err := cmd.CombinedOutput()
	require.NoError(t, err, "promtool check metrics:\n%s", out)
	require.Empty(t, strings.TrimSpace(string(out)), "promtool check metrics reports problems")
}

// TestScrapeInKeyMode runs the runtime with an API key: the shipped scrape
// job, given the key in its credentials file, scrapes it; the same job with
// a wrong key cannot (the runtime answers 401).
func TestScrapeInKeyMode(t *testing.T) {
	const key = "prometheus-scrape-key-0123456789"
	bin := buildRuntime(t)
	rt := e2e.Start(t, bin, "PARLEY_API_KEYS="+key)
	target := fmt.Sprintf("127.0.0.1:%d", rt.Port)
	good := startPrometheus(t, scrapeConfig(t, target, key))
	bad := startPrometheus(t, scrapeConfig(t, target, key+"-wrong"))
	good.waitReady(t)
	bad.waitReady(t)
	good.waitValue(t, "scraped with the key", `up{job="parley"}`, func(v float64) bool { return v == 1 })
	good.waitValue(t, "the runtime's own metrics arrive", `count({job="parley",__name__=~"parley_.+"})`, func(v float64) bool { return v > 0 })
	bad.waitValue(t, "refused without the right key", `up{job="parley"}`, func(v float64) bool { return v == 0 })
}
