package agent

import (
	"log/slog"
	"time"
)

// Option configures a Registry.
type Option func(*Registry)

// WithLogger sets the logger for loads, reloads and problems (default slog.Default()).
func WithLogger(l *slog.Logger) Option {
	return func(r *Registry) {
		if l != nil {
			r.log = l
		}
	}
}

// WithAvailability sets a check run on every valid agent at each load: a
// non-nil error marks the agent unavailable with that error as the reason
// (for example "needs OPENAI_API_KEY"). Such an agent is listed, but Get
// returns an error wrapping ErrUnavailable and the reason.
func WithAvailability(check func(*Spec) error) Option {
	return func(r *Registry) { r.available = check }
}

// WithDebounce sets how long Run waits after the last change in the
// directory before reloading (default 150ms), so that an editor's
// write-rename-chmod sequence causes one reload.
func WithDebounce(d time.Duration) Option {
	return func(r *Registry) {
		if d > 0 {
			r.debounce = d
		}
	}
}

// WithEnv sets where tool headers' ${NAME} references are looked up
// (default os.LookupEnv); an agent naming an unset variable is unavailable.
func WithEnv(lookup func(string) (string, bool)) Option {
	return func(r *Registry) { r.lookupEnv = lookup }
}
