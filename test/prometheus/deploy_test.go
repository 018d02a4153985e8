package prometheus

import (
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"
	"go.yaml.in/yaml/v3"
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
		Secrets     []string          `yaml:"secrets"`
	} `yaml:"services"`
	Volumes map[string]any `yaml:"volumes"`
	Secrets map[string]struct {
		File string `yaml:"file"`
	} `yaml:"secrets"`
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

	var prom struct {
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
		} `yaml:"scrape_configs"`
	}
	readYAML(t, "prometheus/prometheus.yml", &prom)
	require.Len(t, prom.ScrapeConfigs, 1)
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
	require.Contains(t, rt.Secrets, secret)
	require.Contains(t, c.Services["prometheus"].Secrets, secret)
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
	require.NoError(t, os.WriteFile(cfg, []byte(strings.Replace(string(raw), secret, keyFile, 1)), 0o600))
	out, err := exec.Command(promtoolBin, "check", "config", cfg).CombinedOutput()
	require.NoError(t, err, "promtool check config:\n%s", out)
	require.Contains(t, string(out), "SUCCESS")
}
