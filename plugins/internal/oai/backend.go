package oai

import (
	"net/http"
	"os"
	"time"

	"github.com/hashicorp/go-hclog"
	openai "github.com/sashabaranov/go-openai"
)

// Backend is what every request of a plugin shares: where the API key is
// read from, the HTTP connection pool, the logger and the retry backoff.
// Options are per request (they come with each call), so a Backend makes
// a client per Config.
type Backend struct {
	// Getenv reads the API key's variable; nil means os.Getenv.
	Getenv func(string) string
	// Base sends the HTTP requests (keeping connections alive between
	// calls); nil means http.DefaultTransport.
	Base http.RoundTripper
	// Logger receives retries; nil logs nothing.
	Logger hclog.Logger
	// Backoff is the ceiling of the first retry's backoff; 0 means
	// DefaultBackoff. Tests shorten it.
	Backoff time.Duration
}

// NewBackend returns a Backend reading the process environment, with a
// connection pool of its own.
func NewBackend(logger hclog.Logger) *Backend {
	base := http.DefaultTransport
	if t, ok := http.DefaultTransport.(*http.Transport); ok {
		base = t.Clone()
	}
	return &Backend{Getenv: os.Getenv, Base: base, Logger: logger}
}

// ReadConfig reads the common options from r (see the package function).
func (b *Backend) ReadConfig(r *OptionReader) Config { return ReadConfig(r, b.getenv) }

// getenv reads an environment variable: Getenv, or the process's.
func (b *Backend) getenv(name string) string {
	if b.Getenv == nil {
		return os.Getenv(name)
	}
	return b.Getenv(name)
}

// Transport returns the retrying transport for requests made with cfg.
func (b *Backend) Transport(cfg Config) *Transport {
	return &Transport{Base: b.Base, MaxRetries: cfg.MaxRetries, Timeout: cfg.Timeout, Backoff: b.Backoff, Logger: b.Logger}
}

// Client returns a go-openai client for cfg: its base URL, its key (none
// when empty) and the retrying transport.
func (b *Backend) Client(cfg Config) *openai.Client {
	c := openai.DefaultConfig(cfg.APIKey)
	c.BaseURL = cfg.BaseURL
	c.HTTPClient = &http.Client{Transport: b.Transport(cfg)}
	return openai.NewClientWithConfig(c)
}

// CloseIdleConnections closes the pool's idle connections.
func (b *Backend) CloseIdleConnections() {
	if c, ok := b.Base.(interface{ CloseIdleConnections() }); ok {
		c.CloseIdleConnections()
	}
}
