package agent

import (
	"fmt"
	"net/url"
	"regexp"
	"slices"
	"strings"
	"time"
)

// WebhookEvent names an event an agent's webhook can receive.
type WebhookEvent string

// The events a webhook can subscribe to.
const (
	// EventCallStarted is sent when a call reaches IN_PROGRESS.
	EventCallStarted WebhookEvent = "call-started"
	// EventCallEnded is sent when a call is ENDED or FAILED, with its
	// transcript, timings, tool calls and sentiment summary.
	EventCallEnded WebhookEvent = "call-ended"
	// EventToolCalled is sent when the agent has called a tool.
	EventToolCalled WebhookEvent = "tool-called"
)

// WebhookEvents lists every event, in the order they happen in a call.
var WebhookEvents = []WebhookEvent{EventCallStarted, EventCallEnded, EventToolCalled}

// Bounds of the webhooks of one agent.
const (
	// DefaultWebhookTimeout is how long one delivery may take when the
	// file says nothing.
	DefaultWebhookTimeout = 10 * time.Second
	// MaxWebhooks bounds the webhooks list of one agent.
	MaxWebhooks = 8
	maxURLLen   = 2048
)

var (
	webhookTimeoutRange = durationRange{"timeout", time.Second, 30 * time.Second}
	envNameRE           = regexp.MustCompile(`^[A-Za-z_][A-Za-z0-9_]{0,127}$`)
)

// Webhook is one endpoint told of a call's events. Deliveries are signed
// with HMAC-SHA256 under the secret read from the environment variable
// SecretEnv (never written in the file).
type Webhook struct {
	// URL receives the events as JSON POST requests.
	URL string `yaml:"url" json:"url" jsonschema:"required,minLength=1,maxLength=2048,pattern=^https?://" jsonschema_description:"http or https URL that receives each event as a JSON POST request."`
	// Events are the events sent to URL.
	Events []WebhookEvent `yaml:"events" json:"events" jsonschema:"required,minItems=1,uniqueItems=true,enum=call-started,enum=call-ended,enum=tool-called" jsonschema_description:"Events sent to the URL: call-started, call-ended (with the transcript, timings, tool calls and a sentiment summary) and tool-called; at least one."`
	// SecretEnv names the environment variable holding the signing secret.
	SecretEnv string `yaml:"secret_env" json:"secretEnv" jsonschema:"required,pattern=^[A-Za-z_][A-Za-z0-9_]*$,maxLength=128" jsonschema_description:"Name of the environment variable of the runtime that holds the secret signing each delivery (X-Parley-Signature); the secret itself is never written in the file. An unset variable makes the agent unavailable."`
	// Timeout bounds one delivery attempt.
	Timeout Duration `yaml:"timeout,omitempty" json:"timeout,omitempty" jsonschema_description:"Longest one delivery attempt may take, between 1s and 30s (default 10s); a slower endpoint counts as failed and is retried." jsonschema_extras:"default=10s"`
}

// Wants reports whether w subscribes to ev.
func (w Webhook) Wants(ev WebhookEvent) bool { return slices.Contains(w.Events, ev) }

// WebhooksFor returns the webhooks of s that subscribe to ev.
func (s *Spec) WebhooksFor(ev WebhookEvent) []Webhook {
	var out []Webhook
	for _, w := range s.Webhooks {
		if w.Wants(ev) {
			out = append(out, w)
		}
	}
	return out
}

// CheckWebhookSecrets reports the first webhook whose secret_env names a
// variable lookup does not find (or finds empty), as "file:line:
// webhooks[i].secret_env: ..."; nil when every secret is set. The runtime
// runs it as part of an agent's availability.
func (s *Spec) CheckWebhookSecrets(lookup func(string) (string, bool)) error {
	for i, w := range s.Webhooks {
		if v, ok := lookup(w.SecretEnv); !ok || v == "" {
			key := fmt.Sprintf("webhooks[%d].secret_env", i)
			return fmt.Errorf("%s", s.problem(key, fmt.Sprintf("environment variable %s (the webhook's signing secret) is not set", w.SecretEnv)))
		}
	}
	return nil
}

// problem places a message at key's line in the file s was loaded from.
func (s *Spec) problem(key, msg string) Problem {
	v := &validator{file: s.File, lines: s.lines}
	return Problem{File: s.File, Key: key, Line: v.line(key), Message: msg}
}

// webhookDefaults fills the timeout of each webhook that does not set one.
func (s *Spec) webhookDefaults(lines map[string]int) {
	for i := range s.Webhooks {
		key := fmt.Sprintf("webhooks[%d].timeout", i)
		if _, ok := lines[key]; !ok && s.Webhooks[i].Timeout == 0 {
			s.Webhooks[i].Timeout = Duration(DefaultWebhookTimeout)
		}
	}
}

func (s *Spec) validateWebhooks(v *validator) {
	if len(s.Webhooks) > MaxWebhooks {
		v.add("webhooks", "has %d entries; at most %d", len(s.Webhooks), MaxWebhooks)
	}
	for i, w := range s.Webhooks {
		w.validate(v, fmt.Sprintf("webhooks[%d]", i))
	}
}

func (w Webhook) validate(v *validator, key string) {
	if msg := urlProblem(w.URL); msg != "" {
		v.add(key+".url", "%s", msg)
	}
	if len(w.Events) == 0 {
		v.add(key+".events", "needs at least one of %s", eventChoices())
	}
	seen := map[WebhookEvent]bool{}
	for j, ev := range w.Events {
		k := fmt.Sprintf("%s.events[%d]", key, j)
		switch {
		case !slices.Contains(WebhookEvents, ev):
			v.add(k, "must be one of %s, not %q", eventChoices(), string(ev))
		case seen[ev]:
			v.add(k, "lists %s twice", ev)
		}
		seen[ev] = true
	}
	switch {
	case w.SecretEnv == "":
		v.add(key+".secret_env", "is required: the name of the environment variable holding the signing secret")
	case !envNameRE.MatchString(w.SecretEnv):
		v.add(key+".secret_env", "must be the NAME of an environment variable (letters, digits and '_', not starting with a digit), not %q; never write the secret itself in the file", w.SecretEnv)
	}
	r := webhookTimeoutRange
	r.key = key + "." + r.key
	r.check(v, w.Timeout)
}

// urlProblem says what is wrong with a webhook URL, or "".
func urlProblem(raw string) string {
	if raw == "" {
		return "is required: the http or https URL that receives the events"
	}
	if len(raw) > maxURLLen {
		return fmt.Sprintf("is %d bytes long; at most %d", len(raw), maxURLLen)
	}
	u, err := url.Parse(raw)
	if err != nil {
		return fmt.Sprintf("is not a URL: %v", err)
	}
	if u.Scheme != "http" && u.Scheme != "https" {
		return fmt.Sprintf("must start with http:// or https://, not %q", raw)
	}
	if u.Host == "" || u.Hostname() == "" {
		return fmt.Sprintf("has no host: %q", raw)
	}
	if u.User != nil {
		return "must not hold a user name or password; sign with secret_env instead"
	}
	return ""
}

func eventChoices() string {
	names := make([]string, len(WebhookEvents))
	for i, e := range WebhookEvents {
		names[i] = string(e)
	}
	return strings.Join(names, ", ")
}
