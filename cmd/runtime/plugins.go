package main

import (
	"context"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	"sync/atomic"

	"github.com/parleyhq/parley/runtime/agent"
	"github.com/parleyhq/parley/runtime/config"
	"github.com/parleyhq/parley/runtime/metrics"
	"github.com/parleyhq/parley/runtime/provider/host"
)

// onPluginChange is set once the agent registry exists; the plugin host
// calls it when a plugin's state changes.
var onPluginChange atomic.Value // func()

// newPluginHost configures the plugin host from the runtime's settings.
func newPluginHost(cfg *config.Config, m *metrics.Metrics, log *slog.Logger) (*host.Host, error) {
	dir := cfg.Plugins.Dir
	if dir == "" {
		exe, err := os.Executable()
		if err != nil {
			return nil, fmt.Errorf("find plugin directory: %w", err)
		}
		dir = filepath.Join(filepath.Dir(exe), "plugins")
	}
	hc := host.Defaults(dir)
	hc.Logger = log
	hc.StartTimeout = cfg.Plugins.StartTimeout
	hc.RequestTimeout = cfg.Plugins.RequestTimeout
	hc.Env = pluginEnv(cfg)
	hc.Nice = cfg.Plugins.Nice
	hc.OnChange = func(plugin string, s host.State) {
		if s == host.StateRestarting || s == host.StateFailed {
			m.PluginRestarted(plugin)
		}
		if f, ok := onPluginChange.Load().(func()); ok {
			f()
		}
	}
	log.Info("plugin directory", "dir", dir)
	return host.New(hc), nil
}

// pluginEnv is the runtime's environment plus the OpenAI settings, which
// may have come from .env or the config file rather than the environment.
func pluginEnv(cfg *config.Config) []string {
	env := os.Environ()
	if cfg.OpenAI.APIKey.IsSet() {
		env = append(env, "OPENAI_API_KEY="+cfg.OpenAI.APIKey.Reveal())
	}
	env = append(env, "OPENAI_MODEL="+cfg.OpenAI.Model)
	if cfg.OpenAI.BaseURL != "" {
		env = append(env, "OPENAI_BASE_URL="+cfg.OpenAI.BaseURL)
	}
	return env
}

// availability decides whether an agent can take calls: the static check
// (known plugins, API key) first, then its plugins start and validate the
// agent's options.
func availability(ctx context.Context, cfg *config.Config, plugins *host.Host) func(*agent.Spec) error {
	static := host.AvailabilityAt(cfg.OpenAI.APIKey.IsSet(), cfg.OpenAI.BaseURL)
	return func(s *agent.Spec) error {
		if err := static(s); err != nil {
			return err
		}
		if err := s.CheckWebhookSecrets(os.LookupEnv); err != nil {
			return err
		}
		return plugins.CheckAgent(ctx, s)
	}
}
