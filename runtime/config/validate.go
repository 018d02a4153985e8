package config

import (
	"errors"
	"fmt"
	"strings"
	"time"
)

// Validate reports every invalid setting at once.
func (c *Config) Validate() error {
	var errs []error
	bad := func(key, format string, args ...any) {
		errs = append(errs, fmt.Errorf("config: %s (%s): %s", key, envOf(key), fmt.Sprintf(format, args...)))
	}
	if c.Port < 1 || c.Port > 65535 {
		bad("port", "must be between 1 and 65535, not %d", c.Port)
	}
	if u := c.STUNServerURL; u != "" && !strings.HasPrefix(u, "stun:") && !strings.HasPrefix(u, "stuns:") {
		bad("stun_server_url", "must start with stun: or stuns:, not %q", u)
	}
	if u := c.OpenAI.BaseURL; u != "" && !strings.HasPrefix(u, "http://") && !strings.HasPrefix(u, "https://") {
		bad("openai.base_url", "must be an http:// or https:// URL, not %q", u)
	}
	if c.OpenAI.Model == "" {
		bad("openai.model", "must not be empty")
	}
	if c.DataDir == "" {
		bad("data_dir", "must not be empty")
	}
	if c.AgentsDir == "" {
		bad("agents_dir", "must not be empty")
	}
	if c.DefaultAgent == "" {
		bad("default_agent", "must not be empty")
	}
	if c.HTTP.BodyLimit < 1 {
		bad("http.body_limit", "must be positive")
	}
	if c.HTTP.UploadLimit < 1 {
		bad("http.upload_limit", "must be positive")
	}
	if c.HTTP.RateLimit < 0 {
		bad("http.rate_limit", "must not be negative")
	}
	for _, t := range []struct {
		key string
		d   time.Duration
	}{
		{"http.read_timeout", c.HTTP.ReadTimeout},
		{"http.write_timeout", c.HTTP.WriteTimeout},
		{"http.shutdown_timeout", c.HTTP.ShutdownTimeout},
		{"plugins.start_timeout", c.Plugins.StartTimeout},
		{"plugins.request_timeout", c.Plugins.RequestTimeout},
	} {
		if t.d <= 0 {
			bad(t.key, "must be a positive duration such as 30s")
		}
	}
	switch strings.ToLower(c.Log.Level) {
	case "debug", "info", "warn", "error":
	default:
		bad("log.level", "must be debug, info, warn or error, not %q", c.Log.Level)
	}
	switch c.Log.Format {
	case "text", "json":
	default:
		bad("log.format", "must be text or json, not %q", c.Log.Format)
	}
	return errors.Join(errs...)
}

func envOf(key string) string {
	for _, s := range Settings {
		if s.Key == key {
			return s.Env
		}
	}
	return key
}
