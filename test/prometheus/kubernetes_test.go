package prometheus

import (
	"bytes"
	"errors"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
	"go.yaml.in/yaml/v3"

	"github.com/parleyhq/parley/runtime/config"
)

// k8sObject is the part of a Kubernetes manifest the test reads.
type k8sObject struct {
	Kind     string `yaml:"kind"`
	Metadata struct {
		Name string `yaml:"name"`
	} `yaml:"metadata"`
	Spec struct {
		Selector struct {
			MatchLabels map[string]string `yaml:"matchLabels"`
		} `yaml:"selector"`
		Template struct {
			Metadata struct {
				Labels map[string]string `yaml:"labels"`
			} `yaml:"metadata"`
			Spec struct {
				HostNetwork                   bool `yaml:"hostNetwork"`
				TerminationGracePeriodSeconds int  `yaml:"terminationGracePeriodSeconds"`
				Containers                    []struct {
					Env []struct {
						Name  string `yaml:"name"`
						Value string `yaml:"value"`
					} `yaml:"env"`
					EnvFrom []struct {
						SecretRef struct {
							Name string `yaml:"name"`
						} `yaml:"secretRef"`
					} `yaml:"envFrom"`
					ReadinessProbe probe `yaml:"readinessProbe"`
					LivenessProbe  probe `yaml:"livenessProbe"`
					Lifecycle      struct {
						PreStop struct {
							Sleep struct {
								Seconds int `yaml:"seconds"`
							} `yaml:"sleep"`
						} `yaml:"preStop"`
					} `yaml:"lifecycle"`
				} `yaml:"containers"`
			} `yaml:"spec"`
		} `yaml:"template"`
		ScaleTargetRef struct {
			Kind string `yaml:"kind"`
			Name string `yaml:"name"`
		} `yaml:"scaleTargetRef"`
		Rules []struct {
			HTTP struct {
				Paths []struct {
					Backend struct {
						Service struct {
							Name string `yaml:"name"`
						} `yaml:"service"`
					} `yaml:"backend"`
				} `yaml:"paths"`
			} `yaml:"http"`
		} `yaml:"rules"`
	} `yaml:"spec"`
}

type probe struct {
	HTTPGet struct {
		Path string `yaml:"path"`
	} `yaml:"httpGet"`
}

// TestKubernetesManifests checks deploy/kubernetes, which no cluster here
// can run: every file the kustomization lists exists and parses; the
// runtime's environment names only settings the runtime knows; its probes
// are the runtime's endpoints; the grace period covers the preStop pause
// and the drain; the Service, Ingress and HPA point at the Deployment.
func TestKubernetesManifests(t *testing.T) {
	dir := filepath.Join(deployDir, "kubernetes")
	var kust struct {
		Resources []string `yaml:"resources"`
	}
	readYAML(t, "kubernetes/kustomization.yaml", &kust)
	require.NotEmpty(t, kust.Resources)
	objects := map[string]k8sObject{} // kind/name
	serviceSelectors := map[string]map[string]string{}
	for _, file := range kust.Resources {
		raw, err := os.ReadFile(filepath.Join(dir, file))
		require.NoError(t, err, "kustomization lists %s", file)
		dec := yaml.NewDecoder(bytes.NewReader(raw))
		for {
			var node yaml.Node
			err := dec.Decode(&node)
			if errors.Is(err, io.EOF) {
				break
			}
			require.NoError(t, err, "%s", file)
			var o k8sObject
			require.NoError(t, node.Decode(&o), "%s", file)
			require.NotEmpty(t, o.Kind, "%s: an object without a kind", file)
			objects[o.Kind+"/"+o.Metadata.Name] = o
			if o.Kind == "Service" {
				var svc struct {
					Spec struct {
						Selector map[string]string `yaml:"selector"`
					} `yaml:"spec"`
				}
				require.NoError(t, node.Decode(&svc), "%s", file)
				serviceSelectors[o.Metadata.Name] = svc.Spec.Selector
			}
		}
	}
	for _, want := range []string{"Deployment/parley", "Service/parley", "PodDisruptionBudget/parley", "Ingress/parley",
		"HorizontalPodAutoscaler/parley", "StatefulSet/postgres", "Service/postgres", "Deployment/nats", "Service/nats"} {
		require.Contains(t, objects, want)
	}

	known := map[string]bool{}
	for _, s := range config.Settings {
		known[s.Env] = true
	}
	d := objects["Deployment/parley"]
	require.Equal(t, d.Spec.Selector.MatchLabels, d.Spec.Template.Metadata.Labels)
	require.True(t, d.Spec.Template.Spec.HostNetwork, "media goes to the node's address and ports")
	c := d.Spec.Template.Spec.Containers[0]
	env := map[string]string{}
	for _, e := range c.Env {
		require.True(t, known[e.Name], "the Deployment sets %s, which is no setting of the runtime", e.Name)
		env[e.Name] = e.Value
	}
	require.Contains(t, env, "PARLEY_INSTANCE_ID")
	require.Contains(t, env, "PARLEY_WEBRTC_NAT_1TO1_IPS")
	require.Equal(t, "parley", c.EnvFrom[0].SecretRef.Name)
	// The secret's keys, as the kustomization's comment creates them.
	rawKust, err := os.ReadFile(filepath.Join(dir, "kustomization.yaml"))
	require.NoError(t, err)
	for _, line := range strings.Split(string(rawKust), "\n") {
		if _, after, ok := strings.Cut(line, "--from-literal="); ok && strings.Contains(line, "PARLEY_") {
			name, _, _ := strings.Cut(after, "=")
			require.True(t, known[name], "the secret holds %s, which is no setting of the runtime", name)
		}
	}
	require.Equal(t, "/readyz", c.ReadinessProbe.HTTPGet.Path)
	require.Equal(t, "/healthz", c.LivenessProbe.HTTPGet.Path)
	drain, err := time.ParseDuration(env["PARLEY_DRAIN_TIMEOUT"])
	require.NoError(t, err)
	grace := time.Duration(d.Spec.Template.Spec.TerminationGracePeriodSeconds) * time.Second
	preStop := time.Duration(c.Lifecycle.PreStop.Sleep.Seconds) * time.Second
	require.Greater(t, grace, drain+preStop+5*time.Second, "the kubelet must not kill a draining instance")

	require.Equal(t, d.Spec.Template.Metadata.Labels, serviceSelectors["parley"])
	require.Equal(t, "parley", objects["Ingress/parley"].Spec.Rules[0].HTTP.Paths[0].Backend.Service.Name)
	hpa := objects["HorizontalPodAutoscaler/parley"]
	require.Equal(t, "Deployment", hpa.Spec.ScaleTargetRef.Kind)
	require.Equal(t, "parley", hpa.Spec.ScaleTargetRef.Name)
}
