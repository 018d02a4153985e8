package prometheus

import (
	"context"
	"encoding/json"
	"fmt"
	"math"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"strconv"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.yaml.in/yaml/v3"

	"github.com/parleyhq/parley/internal/e2e"
)

// Debian's prometheus package (the Makefile's APT_PACKAGES has it).
const (
	prometheusBin = "/usr/bin/prometheus"
	promtoolBin   = "/usr/bin/promtool"
)

// deployPrometheusConfig is the scrape configuration the deploy files ship.
var deployPrometheusConfig = filepath.Join(repoRoot, "deploy", "prometheus", "prometheus.yml")

// scrapeConfig is deploy/prometheus/prometheus.yml pointed at target and
// scraping every second: the shipped job (its name, metrics path and any
// other setting) is what the test's Prometheus runs.
func scrapeConfig(t *testing.T, target, apiKey string) []byte {
	t.Helper()
	raw, err := os.ReadFile(deployPrometheusConfig)
	require.NoError(t, err)
	var cfg map[string]any
	require.NoError(t, yaml.Unmarshal(raw, &cfg))
	global, _ := cfg["global"].(map[string]any)
	if global == nil {
		global = map[string]any{}
		cfg["global"] = global
	}
	global["scrape_interval"] = "1s"
	global["evaluation_interval"] = "1s"
	jobs, _ := cfg["scrape_configs"].([]any)
	found := false
	for _, j := range jobs {
		job, _ := j.(map[string]any)
		if job["job_name"] != "parley" {
			continue
		}
		found = true
		require.Contains(t, []any{nil, "/metrics"}, job["metrics_path"], "the runtime serves GET /metrics")
		job["static_configs"] = []any{map[string]any{"targets": []any{target}}}
		delete(job, "scrape_interval")
		// The shipped job sends the key in its credentials file (a compose
		// secret); here the file is the test's.
		authz, _ := job["authorization"].(map[string]any)
		require.Equal(t, "Bearer", authz["type"], "the parley job sends an API key")
		require.NotEmpty(t, authz["credentials_file"])
		keyFile := filepath.Join(t.TempDir(), "parley_api_key")
		require.NoError(t, os.WriteFile(keyFile, []byte(apiKey+"\n"), 0o600))
		authz["credentials_file"] = keyFile
	}
	require.True(t, found, "%s has no job_name: parley", deployPrometheusConfig)
	out, err := yaml.Marshal(cfg)
	require.NoError(t, err)
	return out
}

// startPrometheus runs a real Prometheus server with config on a free
// loopback port and a fresh TSDB. Wait for it with waitReady.
func startPrometheus(t *testing.T, config []byte) *promServer {
	t.Helper()
	dir := t.TempDir()
	cfg := filepath.Join(dir, "prometheus.yml")
	require.NoError(t, os.WriteFile(cfg, config, 0o600))
	port := e2e.FreePort(t)
	p := e2e.StartProcess(t, "prometheus", prometheusBin, []string{
		"--config.file=" + cfg,
		"--storage.tsdb.path=" + filepath.Join(dir, "tsdb"),
		fmt.Sprintf("--web.listen-address=127.0.0.1:%d", port),
		"--log.level=warn",
	}, nil)
	return &promServer{Process: p, base: fmt.Sprintf("http://127.0.0.1:%d", port)}
}

// promServer is a Prometheus server and its HTTP API.
type promServer struct {
	*e2e.Process
	base string
}

// waitReady waits until Prometheus says it is ready.
func (p *promServer) waitReady(t *testing.T) {
	t.Helper()
	p.WaitReady(t, p.base+"/-/ready", 30*time.Second)
}

// queryResponse is the envelope of GET /api/v1/query.
type queryResponse struct {
	Status    string   `json:"status"`
	ErrorType string   `json:"errorType"`
	Error     string   `json:"error"`
	Warnings  []string `json:"warnings"`
	Data      struct {
		ResultType string          `json:"resultType"`
		Result     json.RawMessage `json:"result"`
	} `json:"data"`
}

// sample is one element of an instant query's result.
type sample struct {
	Metric map[string]string
	Value  float64
}

// query evaluates expr now through the HTTP API. An error is a failed
// request or a query Prometheus refused; warnings come back beside the
// samples.
func (p *promServer) query(ctx context.Context, expr string) ([]sample, []string, error) {
	u := p.base + "/api/v1/query?" + url.Values{"query": {expr}}.Encode()
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, u, nil)
	if err != nil {
		return nil, nil, err
	}
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		return nil, nil, err
	}
	defer res.Body.Close()
	var qr queryResponse
	if err := json.NewDecoder(res.Body).Decode(&qr); err != nil {
		return nil, nil, fmt.Errorf("HTTP %d: %w", res.StatusCode, err)
	}
	if qr.Status != "success" {
		return nil, qr.Warnings, fmt.Errorf("HTTP %d: %s: %s", res.StatusCode, qr.ErrorType, qr.Error)
	}
	samples, err := decodeResult(qr.Data.ResultType, qr.Data.Result)
	return samples, qr.Warnings, err
}

// decodeResult reads an instant query's vector or scalar.
func decodeResult(kind string, raw json.RawMessage) ([]sample, error) {
	switch kind {
	case "vector":
		var vec []struct {
			Metric map[string]string `json:"metric"`
			Value  [2]any            `json:"value"`
		}
		if err := json.Unmarshal(raw, &vec); err != nil {
			return nil, err
		}
		out := make([]sample, 0, len(vec))
		for _, v := range vec {
			f, err := sampleValue(v.Value)
			if err != nil {
				return nil, err
			}
			out = append(out, sample{Metric: v.Metric, Value: f})
		}
		return out, nil
	case "scalar":
		var v [2]any
		if err := json.Unmarshal(raw, &v); err != nil {
			return nil, err
		}
		f, err := sampleValue(v)
		return []sample{{Value: f}}, err
	default:
		return nil, fmt.Errorf("instant query returned a %s", kind)
	}
}

// sampleValue reads [timestamp, "value"].
func sampleValue(v [2]any) (float64, error) {
	s, ok := v[1].(string)
	if !ok {
		return 0, fmt.Errorf("sample value %v is not a string", v[1])
	}
	return strconv.ParseFloat(s, 64)
}

// value evaluates expr, which must return at most one sample, and
// returns its value (NaN when it returns nothing).
func (p *promServer) value(expr string) (float64, error) {
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	samples, _, err := p.query(ctx, expr)
	switch {
	case err != nil:
		return 0, err
	case len(samples) == 0:
		return math.NaN(), nil
	case len(samples) > 1:
		return 0, fmt.Errorf("%d samples, want one", len(samples))
	}
	return samples[0].Value, nil
}

// waitValue polls expr until cond holds for its value, for up to 20 s.
func (p *promServer) waitValue(t *testing.T, what, expr string, cond func(float64) bool) {
	t.Helper()
	var (
		mu   sync.Mutex
		last any
	)
	ok := assert.Eventually(t, func() bool {
		v, err := p.value(expr)
		mu.Lock()
		defer mu.Unlock()
		if err != nil {
			last = err
			return false
		}
		last = v
		return cond(v)
	}, 20*time.Second, 200*time.Millisecond)
	if !ok {
		mu.Lock()
		defer mu.Unlock()
		t.Fatalf("Prometheus: %s: %s is %v", what, expr, last)
	}
}

// labelValues returns the values of label on the series of metric, as
// Grafana's label_values(metric, label) asks Prometheus for them.
func (p *promServer) labelValues(t *testing.T, metric, label string) []string {
	t.Helper()
	u := p.base + "/api/v1/label/" + url.PathEscape(label) + "/values?" + url.Values{"match[]": {metric}}.Encode()
	res, err := http.Get(u)
	require.NoError(t, err)
	defer res.Body.Close()
	var out struct {
		Status string   `json:"status"`
		Error  string   `json:"error"`
		Data   []string `json:"data"`
	}
	require.NoError(t, json.NewDecoder(res.Body).Decode(&out))
	require.Equal(t, "success", out.Status, out.Error)
	return out.Data
}
