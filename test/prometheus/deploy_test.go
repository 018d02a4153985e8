package prometheus

import (
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"
	"go.yaml.in/yaml/v3"

	"github.com/parleyhq/parley/runtime/config"
)

var deployDir = filepath.Join(repoRoot, "deploy")

// readYAML decodes a deploy file into out, failing on a YAML error.
func readYAML(t *testing.T, rel string, out any) {
	t.Helper()
	raw, err := os.ReadFile(filepath.Join(deployDir, rel))
	require.NoError(t, err)
	require.NoError(t, yaml.Unmarshal(raw, out), "%s", rel)
}

// compose is the part of docker-compose.yml the test reads.
type compose struct {
	Services map[string]struct {
		Image string `yaml:"image"`
		Build *struct {
			Context    string `yaml:"context"`
			Dockerfile string `yaml:"dockerfile"`
		} `yaml:"build"`
		Environment map[string]string `yaml:"environment"`
		Ports       []string          `yaml:"ports"`
		Volumes     []string          `yaml:"volumes"`
		Secrets     []secretRef       `yaml:"secrets"`
		Profiles    []string          `yaml:"profiles"`
	} `yaml:"services"`
	Volumes map[string]any `yaml:"volumes"`
	Secrets map[string]struct {
		File string `yaml:"file"`
	} `yaml:"secrets"`
}

// promConfig is the part of prometheus.yml the tests read.
type promConfig struct {
	ScrapeConfigs []struct {
		JobName       string `yaml:"job_name"`
		MetricsPath   string `yaml:"metrics_path"`
		StaticConfigs []struct {
			Targets []string `yaml:"targets"`
		} `yaml:"static_configs"`
		Authorization struct {
			Type            string `yaml:"type"`
			CredentialsFile string `yaml:"credentials_file"`
		} `yaml:"authorization"`
		DNSSDConfigs []struct {
			Names []string `yaml:"names"`
			Port  int      `yaml:"port"`
		} `yaml:"dns_sd_configs"`
	} `yaml:"scrape_configs"`
}

// secretRef is a service's secret: a name, or {source, target}.
type secretRef struct {
	Source string
	Target string
}

func (r *secretRef) UnmarshalYAML(n *yaml.Node) error {
	if n.Kind == yaml.ScalarNode {
		r.Source = n.Value
		return nil
	}
	var long struct {
		Source string `yaml:"source"`
		Target string `yaml:"target"`
	}
	err := n.Decode(&long)
	r.Source, r.Target = long.Source, long.Target
	return err
}

// secretNames lists the sources of refs.
func secretNames(refs []secretRef) []string {
	var out []string
	for _, r := range refs {
		out = append(out, r.Source)
	}
	return out
}

// TestDeployFilesFitTogether parses the deploy files and checks their
// wiring, which no tool here can run (no Docker, no Grafana): the compose
// file mounts files that exist where the provisioning looks for them, Grafana
// reaches Prometheus, Prometheus scrapes the runtime's service and port,
// and the Dockerfile builds with the Go of go.mod.
func TestDeployFilesFitTogether(t *testing.T) {
	var c compose
	readYAML(t, "docker-compose.yml", &c)
	for _, name := range []string{"parley", "prometheus", "grafana"} {
		require.Contains(t, c.Services, name, "docker-compose.yml services")
	}

	// Bind mounts: the source exists; named volumes are declared.
	mounts := map[string]map[string]string{} // service -> target -> source
	for name, s := range c.Services {
		mounts[name] = map[string]string{}
		for _, v := range s.Volumes {
			parts := strings.Split(v, ":")
			require.GreaterOrEqual(t, len(parts), 2, "%s volume %q", name, v)
			src, dst := parts[0], parts[1]
			mounts[name][dst] = src
			if strings.HasPrefix(src, ".") {
				_, err := os.Stat(filepath.Join(deployDir, src))
				require.NoError(t, err, "%s mounts %s", name, src)
			} else {
				require.Contains(t, c.Volumes, src, "%s uses volume %s", name, src)
			}
		}
	}

	// The runtime is built from deploy/Dockerfile with the repository as
	// context, and listens where Prometheus scrapes it.
	rt := c.Services["parley"]
	require.NotNil(t, rt.Build)
	df := filepath.Join(deployDir, rt.Build.Context, rt.Build.Dockerfile)
	_, err := os.Stat(df)
	require.NoError(t, err, "build: context %s, dockerfile %s", rt.Build.Context, rt.Build.Dockerfile)
	_, err = os.Stat(filepath.Join(deployDir, rt.Build.Context, "go.mod"))
	require.NoError(t, err, "the build context is the repository root")
	require.Contains(t, rt.Ports, "3000:3000")

	var prom promConfig
	readYAML(t, "prometheus/prometheus.yml", &prom)
	require.Len(t, prom.ScrapeConfigs, 2)
	job := prom.ScrapeConfigs[0]
	require.Equal(t, "parley", job.JobName)
	require.Equal(t, "/metrics", job.MetricsPath)
	require.Equal(t, []string{"parley:3000"}, job.StaticConfigs[0].Targets, "the compose service parley on the runtime's default PORT")
	require.Equal(t, "./prometheus/prometheus.yml", mounts["prometheus"]["/etc/prometheus/prometheus.yml"])

	// Key mode: the runtime reads its key from the compose secret that
	// Prometheus sends (compose mounts secrets at /run/secrets/<name>).
	require.Equal(t, "Bearer", job.Authorization.Type)
	const secret = "parley_api_key"
	require.Equal(t, "/run/secrets/"+secret, job.Authorization.CredentialsFile)
	require.Equal(t, "/run/secrets/"+secret, rt.Environment["PARLEY_API_KEYS_FILE"])
	require.Contains(t, secretNames(rt.Secrets), secret)
	require.Contains(t, secretNames(c.Services["prometheus"].Secrets), secret)
	require.Equal(t, "./"+secret, c.Secrets[secret].File)

	// Grafana: provisioning mounted where Grafana reads it, the dashboard
	// provider's path is where the dashboards are mounted, the data source
	// is the compose Prometheus.
	require.Equal(t, "./grafana/provisioning", mounts["grafana"]["/etc/grafana/provisioning"])
	var providers struct {
		APIVersion int `yaml:"apiVersion"`
		Providers  []struct {
			Type    string `yaml:"type"`
			Options struct {
				Path string `yaml:"path"`
			} `yaml:"options"`
		} `yaml:"providers"`
	}
	readYAML(t, "grafana/provisioning/dashboards/parley.yaml", &providers)
	require.Equal(t, 1, providers.APIVersion)
	require.Len(t, providers.Providers, 1)
	require.Equal(t, "file", providers.Providers[0].Type)
	dashDir := providers.Providers[0].Options.Path
	require.Equal(t, "./grafana/dashboards", mounts["grafana"][dashDir], "the dashboard provider reads %s", dashDir)
	home := c.Services["grafana"].Environment["GF_DASHBOARDS_DEFAULT_HOME_DASHBOARD_PATH"]
	require.Equal(t, dashDir+"/parley.json", home)

	var sources struct {
		APIVersion  int `yaml:"apiVersion"`
		Datasources []struct {
			Type     string `yaml:"type"`
			URL      string `yaml:"url"`
			JSONData struct {
				TimeInterval string `yaml:"timeInterval"`
			} `yaml:"jsonData"`
		} `yaml:"datasources"`
	}
	readYAML(t, "grafana/provisioning/datasources/prometheus.yaml", &sources)
	require.Equal(t, 1, sources.APIVersion)
	require.Len(t, sources.Datasources, 1)
	require.Equal(t, "prometheus", sources.Datasources[0].Type)
	require.Equal(t, "http://prometheus:9090", sources.Datasources[0].URL)
	var global struct {
		Global struct {
			ScrapeInterval string `yaml:"scrape_interval"`
		} `yaml:"global"`
	}
	readYAML(t, "prometheus/prometheus.yml", &global)
	require.Equal(t, global.Global.ScrapeInterval, sources.Datasources[0].JSONData.TimeInterval,
		"Grafana's timeInterval is the scrape interval ($__rate_interval depends on it)")

	// The Dockerfile's Go is go.mod's.
	gomod, err := os.ReadFile(filepath.Join(repoRoot, "go.mod"))
	require.NoError(t, err)
	goVersion := regexp.MustCompile(`(?m)^go (\d+\.\d+)`).FindSubmatch(gomod)
	require.NotNil(t, goVersion)
	dockerfile, err := os.ReadFile(df)
	require.NoError(t, err)
	require.Contains(t, string(dockerfile), "FROM golang:"+string(goVersion[1])+"-bookworm AS build")
}

// TestComposeClusterProfile checks the compose profile "cluster": three
// instances with their own ids and media ports on the shared PostgreSQL
// and NATS, HAProxy mounting the shipped configuration and naming each
// instance, a token secret shared by all, Prometheus finding them, and
// only settings the runtime knows.
func TestComposeClusterProfile(t *testing.T) {
	var c compose
	readYAML(t, "docker-compose.yml", &c)
	known := map[string]bool{}
	for _, s := range config.Settings {
		known[s.Env] = true
	}
	pg := c.Services["postgres"].Environment
	lb := c.Services["lb"]
	require.Contains(t, lb.Profiles, "cluster")
	require.Equal(t, "./haproxy/haproxy.cfg", strings.Split(lb.Volumes[0], ":")[0])
	ids := map[string]bool{}
	ports := map[string]bool{}
	for i := 1; i <= 3; i++ {
		name := fmt.Sprintf("parley-%d", i)
		s, ok := c.Services[name]
		require.True(t, ok, "service %s", name)
		require.Contains(t, s.Profiles, "cluster")
		require.Equal(t, "parley:local", s.Image)
		for k := range s.Environment {
			require.True(t, known[k] || k == "OPENAI_API_KEY", "%s sets %s, which is no setting of the runtime", name, k)
		}
		require.False(t, ids[s.Environment["PARLEY_INSTANCE_ID"]], "instance ids are distinct")
		ids[s.Environment["PARLEY_INSTANCE_ID"]] = true
		require.Equal(t, fmt.Sprintf("postgres://%s:%s@postgres:5432/%s?sslmode=disable", pg["POSTGRES_USER"], pg["POSTGRES_PASSWORD"], pg["POSTGRES_DB"]),
			s.Environment["PARLEY_DATABASE_URL"])
		require.Equal(t, "nats://nats:4222", s.Environment["PARLEY_BUS_URL"])
		udp := s.Environment["PARLEY_WEBRTC_UDP_PORT_MIN"] + "-" + s.Environment["PARLEY_WEBRTC_UDP_PORT_MAX"]
		require.Equal(t, []string{udp + ":" + udp + "/udp"}, s.Ports, "%s publishes its media ports", name)
		require.False(t, ports[udp])
		ports[udp] = true
		require.Equal(t, name+":3000", lb.Environment[fmt.Sprintf("PARLEY_%d", i)], "HAProxy's server %d", i)
		var token secretRef
		for _, r := range s.Secrets {
			if r.Source == "parley_token_secret" {
				token = r
			}
		}
		require.Equal(t, "/app/data/token.secret", token.Target, "%s reads the shared token secret from its data directory", name)
	}
	require.Contains(t, c.Secrets, "parley_token_secret")
	var prom promConfig
	readYAML(t, "prometheus/prometheus.yml", &prom)
	require.Equal(t, "parley-cluster", prom.ScrapeConfigs[1].JobName)
	require.ElementsMatch(t, []string{"parley-1", "parley-2", "parley-3"}, prom.ScrapeConfigs[1].DNSSDConfigs[0].Names)
	require.Equal(t, 3000, prom.ScrapeConfigs[1].DNSSDConfigs[0].Port)
}

// TestPrometheusConfigValid runs promtool check config on the shipped
// scrape configuration. promtool insists that the key's credentials file
// exists, so the job's credentials_file (a compose secret) is pointed at a
// file of the test's; nothing else is changed.
func TestPrometheusConfigValid(t *testing.T) {
	if _, err := os.Stat(promtoolBin); err != nil {
		t.Skipf("%s is missing: apt-get install prometheus (the Makefile's APT_PACKAGES has it)", promtoolBin)
	}
	raw, err := os.ReadFile(deployPrometheusConfig)
	require.NoError(t, err)
	const secret = "/run/secrets/parley_api_key"
	require.Contains(t, string(raw), "credentials_file: "+secret)
	dir := t.TempDir()
	keyFile := filepath.Join(dir, "parley_api_key")
	require.NoError(t, os.WriteFile(keyFile, []byte("a-key-for-promtool-0123456789\n"), 0o600))
	cfg := filepath.Join(dir, "prometheus.yml")
	require.NoError(t, os.WriteFile(cfg, []byte(strings.ReplaceAll(string(raw), secret, keyFile)), 0o600))
	rules, err := os.ReadFile(filepath.Join(deployDir, "prometheus", "alerts.yml"))
	require.NoError(t, err)
	require.NoError(t, os.WriteFile(filepath.Join(dir, "alerts.yml"), rules, 0o600))
	out, err := exec.Command(promtoolBin, "check", "config", cfg).CombinedOutput()
	require.NoError(t, err, "promtool check config:\n%s", out)
	require.Contains(t, string(out), "SUCCESS")
	require.Contains(t, string(out), "4 rules found", "the alert rules are loaded")
}

// TestAlertRules evaluates the shipped alert rules on the series of
// deploy/prometheus/alerts_test.yml with promtool: each alert fires for
// the instance it should, with its labels and text, and not before.
func TestAlertRules(t *testing.T) {
	if _, err := os.Stat(promtoolBin); err != nil {
		t.Skipf("%s is missing: apt-get install prometheus (the Makefile's APT_PACKAGES has it)", promtoolBin)
	}
	cmd := exec.Command(promtoolBin, "test", "rules", "alerts_test.yml")
	cmd.Dir = filepath.Join(deployDir, "prometheus")
	out, err := cmd.CombinedOutput()
	require.NoError(t, err, "promtool test rules:\n%s", out)
	require.Contains(t, string(out), "SUCCESS")
}
