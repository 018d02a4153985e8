// Package tools carries out the tool calls of an agent's chat model: an
// HTTP request to the operator's endpoint (arguments checked against the
// tool's JSON Schema, URL templates escaped, secrets from the environment,
// response capped and required to be JSON) or a built-in action (end_call,
// transfer_call). A tool that fails, times out or answers badly never
// fails the call: its Outcome says what the model is told.
package tools

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"os"
	"regexp"
	"strings"
	"time"

	"github.com/parleyhq/parley/runtime/agent"
	"github.com/parleyhq/parley/runtime/metrics"
	"github.com/parleyhq/parley/runtime/vars"
)

// Call is one tool call to carry out.
type Call struct {
	Spec *agent.Spec
	// ID and Name are the model's; Arguments its JSON, as written.
	ID, Name, Arguments string
	// Values are the call's variables and built-ins, for the templates of
	// the tool's URL and body (nil: none).
	Values vars.Values
}

// Outcome is what a tool call did.
type Outcome struct {
	// Content is what the model is told: the tool's JSON, or
	// {"error": "..."}.
	Content string
	// Result is the tool's JSON on success; Err says why it failed.
	Result string
	Err    error
	// Metric is the outcome label (metrics.ToolOK ...).
	Metric string
	// EndCall: the built-in end_call was called.
	EndCall bool
	// Transfer is the target of a transfer_call ("" for none), and
	// Destination the name the model used.
	Transfer, Destination string
	Duration              time.Duration
}

// Runner carries out tool calls. Its zero value is not usable: use New.
type Runner struct {
	client *http.Client
	env    func(string) (string, bool)
}

// Option configures a Runner.
type Option func(*Runner)

// WithEnv sets where header ${NAME} references are looked up (default
// os.LookupEnv).
func WithEnv(lookup func(string) (string, bool)) Option {
	return func(r *Runner) { r.env = lookup }
}

// WithTransport sets the HTTP transport (tests, a proxy).
func WithTransport(t http.RoundTripper) Option {
	return func(r *Runner) { r.client.Transport = t }
}

// New returns a Runner. Its HTTP client follows no redirects: a tool's
// URL is the operator's, and a redirect must not send the request (with
// its secret headers) elsewhere.
func New(opts ...Option) *Runner {
	r := &Runner{
		client: &http.Client{
			CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse },
		},
		env: os.LookupEnv,
	}
	for _, o := range opts {
		o(r)
	}
	return r
}

// Run carries out c. It never returns an error: a failure is in the
// Outcome, worded for the model.
func (r *Runner) Run(ctx context.Context, c Call) Outcome {
	start := time.Now()
	out := r.run(ctx, c)
	out.Duration = time.Since(start)
	if out.Err != nil {
		out.Content = ErrorContent(out.Err.Error())
		if out.Metric == "" {
			out.Metric = metrics.ToolError
		}
	} else {
		out.Content = out.Result
		out.Metric = metrics.ToolOK
	}
	return out
}

// Errors a tool call can end with, for errors.Is.
var (
	ErrUnknownTool      = errors.New("no such tool")
	ErrInvalidArguments = errors.New("invalid arguments")
	ErrTimeout          = errors.New("the tool did not answer in time")
)

func (r *Runner) run(ctx context.Context, c Call) Outcome {
	t := c.Spec.Tool(c.Name)
	params := c.Spec.ToolParams(c.Name)
	if t == nil || params == nil {
		return Outcome{Err: fmt.Errorf("%w: %q (the tools are: %s)", ErrUnknownTool, clip(c.Name, 64), toolNames(c.Spec)), Metric: metrics.ToolUnknown}
	}
	args, err := params.Check(c.Arguments)
	if err != nil {
		return Outcome{Err: fmt.Errorf("%w: %w", ErrInvalidArguments, err), Metric: metrics.ToolInvalidArguments}
	}
	switch {
	case t.EndCall != nil:
		return Outcome{Result: `{"ok":true,"note":"the call ends after your reply"}`, EndCall: true}
	case t.TransferCall != nil:
		return transfer(t.TransferCall, args)
	case t.HTTP != nil:
		return r.request(ctx, c, t, args)
	}
	return Outcome{Err: fmt.Errorf("%w: %q has no action", ErrUnknownTool, c.Name), Metric: metrics.ToolUnknown}
}

// phoneRE accepts what a model may pass as a phone number.
var phoneRE = regexp.MustCompile(`^\+?[0-9][0-9 ().-]{2,30}$`)

// transfer resolves a transfer_call's destination: a named one, or a
// number when the tool allows numbers.
func transfer(tc *agent.TransferAction, args map[string]any) Outcome {
	dest, _ := args["destination"].(string)
	dest = strings.TrimSpace(dest)
	target, ok := tc.Destinations[dest]
	if !ok {
		if !tc.AllowNumbers || !phoneRE.MatchString(dest) {
			return Outcome{Err: fmt.Errorf("%w: unknown destination %q", ErrInvalidArguments, clip(dest, 64)), Metric: metrics.ToolInvalidArguments}
		}
		target = dest
	}
	res, _ := json.Marshal(map[string]any{"transferred": true, "destination": dest, "target": target})
	return Outcome{Result: string(res), Transfer: target, Destination: dest}
}

// ErrorContent is what the model is told of a failed tool call:
// {"error": msg}.
func ErrorContent(msg string) string {
	b, _ := json.Marshal(map[string]string{"error": msg})
	return string(b)
}

func toolNames(s *agent.Spec) string {
	names := make([]string, len(s.Tools))
	for i, t := range s.Tools {
		names[i] = t.Name
	}
	if len(names) == 0 {
		return "none"
	}
	return strings.Join(names, ", ")
}

// clip shortens s to at most n bytes (model-written text in messages).
func clip(s string, n int) string {
	if len(s) <= n {
		return s
	}
	return s[:n] + "..."
}
