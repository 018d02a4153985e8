package prometheus

import (
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"

	dto "github.com/prometheus/client_model/go"
	"github.com/prometheus/common/expfmt"
	"github.com/prometheus/common/model"
	"github.com/stretchr/testify/require"

	"github.com/parleyhq/parley/runtime/metrics"
)

// dashboardFile is the Grafana dashboard the deploy files ship.
var dashboardFile = filepath.Join(repoRoot, "deploy", "grafana", "dashboards", "parley.json")

// dashboard is the part of Grafana's dashboard JSON model the tests read.
type dashboard struct {
	UID           string `json:"uid"`
	Title         string `json:"title"`
	SchemaVersion int    `json:"schemaVersion"`
	Templating    struct {
		List []variable `json:"list"`
	} `json:"templating"`
	Panels []panel `json:"panels"`
}

type variable struct {
	Name       string          `json:"name"`
	Type       string          `json:"type"`
	Query      json.RawMessage `json:"query"`
	Definition string          `json:"definition"`
	Datasource *dsRef          `json:"datasource"`
	IncludeAll bool            `json:"includeAll"`
	AllValue   string          `json:"allValue"`
	Multi      bool            `json:"multi"`
}

type dsRef struct {
	Type string `json:"type"`
	UID  string `json:"uid"`
}

type panel struct {
	ID         int      `json:"id"`
	Type       string   `json:"type"`
	Title      string   `json:"title"`
	GridPos    gridPos  `json:"gridPos"`
	Datasource *dsRef   `json:"datasource"`
	Targets    []target `json:"targets"`
	Panels     []panel  `json:"panels"` // of a collapsed row
}

type gridPos struct {
	X int `json:"x"`
	Y int `json:"y"`
	W int `json:"w"`
	H int `json:"h"`
}

type target struct {
	Expr         string `json:"expr"`
	RefID        string `json:"refId"`
	LegendFormat string `json:"legendFormat"`
	Datasource   *dsRef `json:"datasource"`
	Instant      bool   `json:"instant"`
}

func loadDashboard(t *testing.T) dashboard {
	t.Helper()
	raw, err := os.ReadFile(dashboardFile)
	require.NoError(t, err)
	var d dashboard
	dec := json.NewDecoder(strings.NewReader(string(raw)))
	require.NoError(t, dec.Decode(&d), "%s is not a dashboard JSON", dashboardFile)
	return d
}

// allPanels lists the panels, those of collapsed rows included.
func (d dashboard) allPanels() []panel {
	var out []panel
	for _, p := range d.Panels {
		out = append(out, p)
		out = append(out, p.Panels...)
	}
	return out
}

// query is one panel target's expression.
type query struct {
	panel, refID, expr string
}

func (q query) String() string { return fmt.Sprintf("%q %s: %s", q.panel, q.refID, q.expr) }

func (d dashboard) queries() []query {
	var out []query
	for _, p := range d.allPanels() {
		for _, tg := range p.Targets {
			out = append(out, query{panel: p.Title, refID: tg.RefID, expr: tg.Expr})
		}
	}
	return out
}

// grafanaVars are what Grafana substitutes in a query, with the values the
// test evaluates it with: the agent variable at All (its allValue), the
// intervals of a short dashboard range on a 1 s scrape.
var grafanaVars = strings.NewReplacer(
	"${__rate_interval}", "1m", "$__rate_interval", "1m",
	"${__interval}", "15s", "$__interval", "15s",
	"${__range}", "5m", "$__range", "5m",
	"${agent:regex}", ".*", "${agent}", ".*", "$agent", ".*",
	"${instance:regex}", ".*", "${instance}", ".*", "$instance", ".*",
)

// targetLabels are the labels Prometheus adds to every scraped series.
var targetLabels = []string{"instance", "job"}

// promQL is q's expression as Grafana sends it to Prometheus.
func (q query) promQL(t *testing.T) string {
	t.Helper()
	out := grafanaVars.Replace(q.expr)
	require.NotContains(t, out, "$", "%s: a variable the test does not know", q)
	return out
}

// family is what the runtime exports of one metric.
type family struct {
	kind   dto.MetricType
	labels []string
}

// runtimeFamilies are the parley_* metrics the runtime's metrics package
// exports once each verb method has been called: name, type and labels.
func runtimeFamilies(t *testing.T) map[string]family {
	t.Helper()
	m := metrics.New()
	m.CallStarted("default")
	m.CallStarted("default")
	m.CallFinished("default", "ENDED")
	m.PeerConnected()
	m.TurnCompleted("default", metrics.Providers{STT: "pocketsphinx", Chat: "scripted", TTS: "espeak"}, metrics.TurnTimings{
		STTFinal: 100 * time.Millisecond, ChatFirstToken: 10 * time.Millisecond, TTSFirstAudio: 20 * time.Millisecond,
		ResponseLatency: 900 * time.Millisecond, Overhead: 30 * time.Millisecond,
	}, true)
	m.Sentiment("default", "neutral")
	m.PluginError("espeak", metrics.KindTimeout)
	m.PluginRestarted("espeak")
	m.Refused(metrics.RefusedMaxCalls)
	m.WebhookAttempt("default", "call-ended", metrics.WebhookDelivered)
	m.WebhooksPending(1)
	rec := httptest.NewRecorder()
	m.Handler().ServeHTTP(rec, httptest.NewRequest(http.MethodGet, "/metrics", nil))
	parser := expfmt.NewTextParser(model.UTF8Validation)
	fams, err := parser.TextToMetricFamilies(rec.Body)
	require.NoError(t, err)
	out := map[string]family{}
	for name, f := range fams {
		if !strings.HasPrefix(name, "parley_") {
			continue
		}
		var labels []string
		for _, l := range f.GetMetric()[0].GetLabel() {
			labels = append(labels, l.GetName())
		}
		out[name] = family{kind: f.GetType(), labels: labels}
	}
	require.NotEmpty(t, out)
	return out
}

var (
	metricRef   = regexp.MustCompile(`\bparley_[a-z_]+\b(\{[^}]*\})?`)
	rangeRef    = regexp.MustCompile(`\[([^\]]*)\]`)
	byClause    = regexp.MustCompile(`\bby\s*\(([^)]*)\)`)
	rateOf      = regexp.MustCompile(`\b(?:rate|increase)\(\s*(parley_[a-z_]+)`)
	matcherName = regexp.MustCompile(`([a-zA-Z_][a-zA-Z0-9_]*)\s*(?:=~|!~|!=|=)`)
)

// TestDashboardMatchesMetrics checks every panel query against the metrics
// the runtime really exports (names, types, labels) and against the
// dashboard's conventions, and that every parley_* metric has a panel.
func TestDashboardMatchesMetrics(t *testing.T) {
	d := loadDashboard(t)
	fams := runtimeFamilies(t)
	used := map[string]bool{}
	for _, q := range d.queries() {
		t.Run(q.panel+"/"+q.refID, func(t *testing.T) {
			labels := map[string]bool{"le": true, "instance": true, "job": true}
			for _, m := range metricRef.FindAllStringSubmatch(q.expr, -1) {
				name, selector := strings.TrimSuffix(m[0], m[1]), m[1]
				base := name
				f, ok := fams[name]
				if !ok {
					base = strings.TrimSuffix(name, "_bucket")
					f, ok = fams[base]
					require.True(t, ok && base != name && f.kind == dto.MetricType_HISTOGRAM,
						"%s: %s is not a metric of the runtime (runtime/metrics/doc.go)", q, name)
				}
				require.False(t, f.kind == dto.MetricType_HISTOGRAM && base == name,
					"%s: use %s_bucket (or _sum, _count) of the histogram", q, name)
				used[base] = true
				for _, l := range f.labels {
					labels[l] = true
				}
				if slices.Contains(f.labels, "agent") {
					require.Contains(t, selector, `agent=~"$agent"`, "%s: %s has an agent label: filter it by $agent", q, name)
				}
				require.Contains(t, selector, `instance=~"$instance"`, "%s: filter %s by $instance", q, name)
				for _, mm := range matcherName.FindAllStringSubmatch(selector, -1) {
					require.True(t, slices.Contains(f.labels, mm[1]) || slices.Contains(targetLabels, mm[1]),
						"%s: %s has no label %s (it has %v)", q, name, mm[1], f.labels)
				}
			}
			for _, m := range byClause.FindAllStringSubmatch(q.expr, -1) {
				for _, l := range strings.Split(m[1], ",") {
					l = strings.TrimSpace(l)
					require.True(t, labels[l], "%s: by (%s): no metric in the query has label %s", q, m[1], l)
				}
			}
			for _, m := range rangeRef.FindAllStringSubmatch(q.expr, -1) {
				require.Contains(t, []string{"$__rate_interval", "$__range"}, m[1], "%s: use [$__rate_interval] (or [$__range] for a total over the time range)", q)
			}
			for _, m := range rateOf.FindAllStringSubmatch(q.expr, -1) {
				f, ok := fams[m[1]]
				if !ok {
					f = fams[strings.TrimSuffix(m[1], "_bucket")]
				}
				require.NotEqual(t, dto.MetricType_GAUGE, f.kind, "%s: rate or increase of the gauge %s", q, m[1])
			}
			// A counter is only meaningful through rate or increase.
			for name, f := range fams {
				if f.kind == dto.MetricType_COUNTER {
					all := len(regexp.MustCompile(`\b`+name+`\b`).FindAllString(q.expr, -1))
					rated := len(regexp.MustCompile(`\b(?:rate|increase)\(\s*`+name+`\b`).FindAllString(q.expr, -1))
					require.Equal(t, all, rated, "%s: the counter %s outside rate() or increase()", q, name)
				}
			}
			if strings.Contains(q.expr, "histogram_quantile") {
				require.Regexp(t, `by \([^)]*\ble\b`, q.expr, "%s: histogram_quantile needs the le label", q)
			}
		})
	}
	for name := range fams {
		require.True(t, used[name], "no panel shows %s", name)
	}

	// End of speech to first audio: p50, p95 and p99 per agent.
	var quantiles []string
	for _, q := range d.queries() {
		if strings.Contains(q.expr, "parley_turn_response_latency_seconds_bucket") && strings.Contains(q.expr, "by (agent, le)") {
			quantiles = append(quantiles, q.expr[:strings.Index(q.expr, ",")])
		}
	}
	require.Subset(t, quantiles, []string{"histogram_quantile(0.5", "histogram_quantile(0.95", "histogram_quantile(0.99"})
}

// TestDashboardModel checks the dashboard's structure as Grafana 10 and 11
// import it: the datasource and agent variables, unique panel ids and
// refIds, every query on ${datasource}, panels inside the 24-column grid
// without overlapping.
func TestDashboardModel(t *testing.T) {
	d := loadDashboard(t)
	require.NotEmpty(t, d.UID)
	require.NotEmpty(t, d.Title)
	require.True(t, d.SchemaVersion >= 38 && d.SchemaVersion <= 41, "schemaVersion %d: Grafana 10.0 writes 38, 11.x up to 41", d.SchemaVersion)

	vars := map[string]variable{}
	for _, v := range d.Templating.List {
		vars[v.Name] = v
	}
	ds := vars["datasource"]
	require.Equal(t, "datasource", ds.Type, "a datasource variable called datasource")
	require.JSONEq(t, `"prometheus"`, string(ds.Query))
	agent := vars["agent"]
	require.Equal(t, "query", agent.Type)
	require.Equal(t, &dsRef{Type: "prometheus", UID: "${datasource}"}, agent.Datasource)
	require.Equal(t, "label_values(parley_turns_total, agent)", agent.Definition)
	require.Contains(t, string(agent.Query), "label_values(parley_turns_total, agent)")
	require.True(t, agent.IncludeAll, "agent has All")
	require.Equal(t, ".*", agent.AllValue, "All is every agent, also those not yet seen")

	ids, titles := map[int]bool{}, map[string]bool{}
	var placed []panel
	for _, p := range d.allPanels() {
		require.NotZero(t, p.ID, "panel %q has no id", p.Title)
		require.False(t, ids[p.ID], "panel id %d twice", p.ID)
		ids[p.ID] = true
		require.NotEmpty(t, p.Title, "panel %d has no title", p.ID)
		require.False(t, titles[p.Title], "two panels called %q", p.Title)
		titles[p.Title] = true
		g := p.GridPos
		require.True(t, g.W > 0 && g.H > 0 && g.X >= 0 && g.Y >= 0 && g.X+g.W <= 24, "panel %q: gridPos %+v", p.Title, g)
		for _, o := range placed {
			og := o.GridPos
			overlap := g.X < og.X+og.W && og.X < g.X+g.W && g.Y < og.Y+og.H && og.Y < g.Y+g.H
			require.False(t, overlap, "panels %q and %q overlap", p.Title, o.Title)
		}
		placed = append(placed, p)
		if p.Type == "row" {
			require.Empty(t, p.Targets)
			continue
		}
		require.Equal(t, &dsRef{Type: "prometheus", UID: "${datasource}"}, p.Datasource, "panel %q", p.Title)
		require.NotEmpty(t, p.Targets, "panel %q has no query", p.Title)
		refs := map[string]bool{}
		for _, tg := range p.Targets {
			require.NotEmpty(t, tg.Expr, "panel %q", p.Title)
			require.NotEmpty(t, tg.RefID, "panel %q", p.Title)
			require.False(t, refs[tg.RefID], "panel %q: refId %s twice", p.Title, tg.RefID)
			refs[tg.RefID] = true
			require.Equal(t, &dsRef{Type: "prometheus", UID: "${datasource}"}, tg.Datasource, "panel %q %s", p.Title, tg.RefID)
		}
	}
}
