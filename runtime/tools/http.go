package tools

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"sort"
	"strings"

	"github.com/parleyhq/parley/runtime/agent"
	"github.com/parleyhq/parley/runtime/metrics"
	"github.com/parleyhq/parley/runtime/vars"
)

// request carries out an http tool: the URL rendered, the arguments in
// the query or a JSON body, the headers' secrets from the environment, and
// the response checked (2xx, JSON, within the size cap).
func (r *Runner) request(ctx context.Context, c Call, t *agent.Tool, args map[string]any) Outcome {
	h := t.HTTP
	ctx, cancel := context.WithTimeout(ctx, h.TimeoutOrDefault())
	defer cancel()

	u, used := renderURL(h.URL, args, c.Values)
	var body io.Reader
	if h.SendQuery() {
		pu, err := url.Parse(u)
		if err != nil {
			return Outcome{Err: fmt.Errorf("the tool's URL is not valid once filled in: %w", err)}
		}
		q := pu.Query()
		for _, k := range sortedKeys(args) {
			if !used[k] {
				q.Set(k, argString(args[k]))
			}
		}
		pu.RawQuery = q.Encode()
		u = pu.String()
	} else {
		var payload any = args
		if h.Body != nil {
			payload = renderBody(h.Body, args, c.Values)
		}
		b, err := json.Marshal(payload)
		if err != nil {
			return Outcome{Err: fmt.Errorf("the arguments cannot be sent: %w", err)}
		}
		body = bytes.NewReader(b)
	}
	req, err := http.NewRequestWithContext(ctx, h.MethodOrDefault(), u, body)
	if err != nil {
		return Outcome{Err: fmt.Errorf("the tool's request cannot be made: %w", err)}
	}
	req.Header.Set("Accept", "application/json")
	if body != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	for name, value := range h.Headers {
		v, missing := agent.ExpandEnv(value, r.env)
		if missing != "" {
			return Outcome{Err: fmt.Errorf("the tool is not configured on this server (header %s needs %s)", name, missing)}
		}
		req.Header.Set(name, v)
	}
	res, err := r.client.Do(req)
	if err != nil {
		if errors.Is(ctx.Err(), context.DeadlineExceeded) {
			return Outcome{Err: fmt.Errorf("%w (%s)", ErrTimeout, h.TimeoutOrDefault()), Metric: metrics.ToolTimeout}
		}
		return Outcome{Err: fmt.Errorf("the tool could not be reached: %s", reachError(err))}
	}
	defer func() { _ = res.Body.Close() }()
	limit := h.MaxResponse()
	data, err := io.ReadAll(io.LimitReader(res.Body, int64(limit)+1))
	if err != nil {
		if errors.Is(ctx.Err(), context.DeadlineExceeded) {
			return Outcome{Err: fmt.Errorf("%w (%s)", ErrTimeout, h.TimeoutOrDefault()), Metric: metrics.ToolTimeout}
		}
		return Outcome{Err: fmt.Errorf("the tool's answer was cut off: %s", reachError(err))}
	}
	if res.StatusCode < 200 || res.StatusCode > 299 {
		return Outcome{Err: fmt.Errorf("the tool answered HTTP %d: %s", res.StatusCode, clip(strings.TrimSpace(string(data)), 200))}
	}
	if len(data) > limit {
		return Outcome{Err: fmt.Errorf("the tool's answer is larger than %d bytes", limit)}
	}
	if len(bytes.TrimSpace(data)) == 0 {
		return Outcome{Result: `{}`} // 204 and friends: done, nothing to say
	}
	if !json.Valid(data) {
		return Outcome{Err: errors.New("the tool's answer is not JSON")}
	}
	var compact bytes.Buffer
	if err := json.Compact(&compact, data); err != nil {
		return Outcome{Err: errors.New("the tool's answer is not JSON")}
	}
	return Outcome{Result: compact.String()}
}

// renderURL fills u's {{name}} templates: a tool argument first, else a
// call variable; escaped for the path before '?', for the query after. It
// returns the argument names it used.
func renderURL(u string, args map[string]any, values vars.Values) (string, map[string]bool) {
	used := map[string]bool{}
	path, query, hasQuery := strings.Cut(u, "?")
	fill := func(s string, escape func(string) string) string {
		t, err := vars.Parse(s)
		if err != nil {
			return s // checked when the agent loaded
		}
		for _, name := range t.Names() {
			if _, ok := args[name]; ok {
				used[name] = true
			}
		}
		return t.RenderFunc(merged(textArgs(args), values), escape)
	}
	out := fill(path, url.PathEscape)
	if hasQuery {
		out += "?" + fill(query, url.QueryEscape)
	}
	return out, used
}

// textArgs has objects and lists among args written as JSON, for text
// templates.
func textArgs(args map[string]any) map[string]any {
	out := make(map[string]any, len(args))
	for k, v := range args {
		switch v.(type) {
		case map[string]any, []any:
			out[k] = argString(v)
		default:
			out[k] = v
		}
	}
	return out
}

// merged are the values templates see: the call's variables, with the
// tool's arguments over them.
func merged(args map[string]any, values vars.Values) vars.Values {
	out := make(vars.Values, len(args)+len(values))
	for k, v := range values {
		out[k] = v
	}
	for k, v := range args {
		out[k] = v
	}
	return out
}

// renderBody fills a body template: a string that is exactly one
// {{name}} becomes that value with its type; other strings get the values
// as text; maps and lists are rendered through.
func renderBody(body any, args map[string]any, values vars.Values) any {
	all := merged(args, values)
	var walk func(any) any
	walk = func(x any) any {
		switch t := x.(type) {
		case string:
			tmpl, err := vars.Parse(t)
			if err != nil {
				return t
			}
			if names := tmpl.Names(); len(names) == 1 && strings.TrimSpace(tmpl.Render(vars.Values{names[0]: ""})) == "" {
				if v, ok := all[names[0]]; ok {
					return v
				}
				return nil
			}
			return tmpl.Render(all)
		case map[string]any:
			out := make(map[string]any, len(t))
			for k, e := range t {
				out[k] = walk(e)
			}
			return out
		case []any:
			out := make([]any, len(t))
			for i, e := range t {
				out[i] = walk(e)
			}
			return out
		}
		return x
	}
	return walk(body)
}

// argString is an argument as text: strings as they are, anything else
// as JSON.
func argString(v any) string {
	if s, ok := v.(string); ok {
		return s
	}
	b, _ := json.Marshal(v)
	return string(b)
}

func sortedKeys(m map[string]any) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}

// reachError words a transport error without the URL (it may hold
// arguments the log should not repeat).
func reachError(err error) string {
	var ue *url.Error
	if errors.As(err, &ue) {
		return ue.Err.Error()
	}
	return err.Error()
}
