package oai

import (
	"net/url"
	"strings"
	"time"
)

// The common options of every OpenAI plugin.
const (
	OptBaseURL    = "base_url"
	OptAPIKeyEnv  = "api_key_env"
	OptTimeout    = "timeout"
	OptMaxRetries = "max_retries"
)

// Defaults of the common options.
const (
	DefaultBaseURL   = "https://api.openai.com/v1"
	DefaultAPIKeyEnv = "OPENAI_API_KEY"
	// BaseURLEnv names the variable whose value, when set, is the
	// default base_url (the runtime passes its OPENAI_BASE_URL setting).
	BaseURLEnv        = "OPENAI_BASE_URL"
	DefaultTimeout    = 30 * time.Second
	DefaultMaxRetries = 3
)

// CommonKeys lists the options every OpenAI plugin accepts.
func CommonKeys() []string {
	return []string{OptBaseURL, OptAPIKeyEnv, OptTimeout, OptMaxRetries}
}

// openAIHost is the host whose base URL counts as OpenAI's own.
const openAIHost = "api.openai.com"

// Config is the parsed common options and the API key they select.
type Config struct {
	// BaseURL is the API root, e.g. https://api.openai.com/v1 or
	// http://localhost:11434/v1 for Ollama.
	BaseURL string
	// APIKey is sent as a bearer token; empty sends no Authorization header.
	APIKey string
	// Timeout bounds each HTTP attempt: until the response headers arrive,
	// then every wait for more of the body.
	Timeout time.Duration
	// MaxRetries is how many times a throttled or failed request is retried.
	MaxRetries int
}

// String implements fmt.Stringer without the key, so a Config can be logged.
func (c Config) String() string {
	key := "none"
	if c.APIKey != "" {
		key = "set"
	}
	return "base_url=" + c.BaseURL + " key=" + key + " timeout=" + c.Timeout.String()
}

// IsOpenAI reports whether the base URL is OpenAI's own API (not a
// compatible server), where OpenAI's key, models and voices apply.
func (c Config) IsOpenAI() bool { return IsOpenAIURL(c.BaseURL) }

// IsOpenAIURL reports whether a base URL points at OpenAI's own API.
func IsOpenAIURL(baseURL string) bool {
	u, err := url.Parse(baseURL)
	return err == nil && strings.EqualFold(u.Hostname(), openAIHost)
}

// ReadConfig reads the common options and looks the API key up with
// getenv. base_url defaults to OPENAI_BASE_URL, or OpenAI's API when that
// is not set. For OpenAI's API the key is required (from api_key_env,
// default OPENAI_API_KEY). With a base_url option pointing elsewhere no key
// is needed, and OpenAI's key is not sent to that server unless
// api_key_env names a variable explicitly: a local Ollama has no business
// seeing it. A server named by OPENAI_BASE_URL gets OPENAI_API_KEY when it
// is set, as OpenAI's own clients do, since the operator set both side by
// side; it needs none.
func ReadConfig(r *OptionReader, getenv func(string) string) Config {
	def, fromEnv := DefaultBaseURL, false
	if v := strings.TrimSpace(getenv(BaseURLEnv)); v != "" && !r.Has(OptBaseURL) {
		def, fromEnv = v, true
	}
	c := Config{
		BaseURL:    strings.TrimRight(r.String(OptBaseURL, def), "/"),
		Timeout:    r.Duration(OptTimeout, DefaultTimeout, 100*time.Millisecond, 10*time.Minute),
		MaxRetries: r.Int(OptMaxRetries, DefaultMaxRetries, 0, 10),
	}
	if u, err := url.Parse(c.BaseURL); err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		if fromEnv {
			r.Problemf(OptBaseURL, "defaults to %s, which must be an http:// or https:// URL such as %s, not %q", BaseURLEnv, DefaultBaseURL, def)
		} else {
			r.Problemf(OptBaseURL, "must be an http:// or https:// URL such as %s", DefaultBaseURL)
		}
		c.BaseURL = DefaultBaseURL
	}
	explicit := r.Has(OptAPIKeyEnv)
	env := r.String(OptAPIKeyEnv, DefaultAPIKeyEnv)
	if env == "" {
		r.Problemf(OptAPIKeyEnv, "must name an environment variable")
		return c
	}
	if !explicit && !c.IsOpenAI() {
		if fromEnv {
			c.APIKey = strings.TrimSpace(getenv(env))
		}
		return c
	}
	c.APIKey = strings.TrimSpace(getenv(env))
	if c.APIKey == "" {
		r.Problemf(OptAPIKeyEnv, "%s is not set", env)
	}
	return c
}
