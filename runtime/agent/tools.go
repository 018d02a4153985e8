package agent

import (
	"encoding/json"
	"errors"
	"fmt"
	"maps"
	"net/url"
	"os"
	"regexp"
	"slices"
	"strings"
	"time"

	"github.com/parleyhq/parley/runtime/vars"
)

// Tool is a function the agent's chat model may call during a call: an
// HTTP request to the operator's systems, or a built-in action.
type Tool struct {
	// Name is what the model calls.
	Name string `yaml:"name" json:"name" jsonschema:"required,pattern=^[a-zA-Z0-9_-]+$,maxLength=64" jsonschema_description:"Name the model calls the tool by: letters, digits, '_' and '-', at most 64 characters, unique within the agent."`
	// Description tells the model when to use the tool.
	Description string `yaml:"description,omitempty" json:"description,omitempty" jsonschema_description:"Tells the model what the tool does and when to call it. Required for http tools; built-ins have a default."`
	// Parameters is the JSON Schema of the arguments (an object).
	Parameters map[string]any `yaml:"parameters,omitempty" json:"parameters,omitempty" jsonschema_description:"JSON Schema (an object schema) of the arguments the model passes; the runtime checks the model's arguments against it before acting. Only for http tools (built-ins have fixed parameters); default: no arguments."`
	// HTTP calls the operator's endpoint.
	HTTP *HTTPAction `yaml:"http,omitempty" json:"http,omitempty" jsonschema_description:"Calls an HTTP endpoint with the arguments; its JSON response goes back to the model."`
	// EndCall hangs up after the agent's reply.
	EndCall *EndCallAction `yaml:"end_call,omitempty" json:"endCall,omitempty" jsonschema_description:"Built-in: hangs up once the agent's reply has been spoken. Write end_call: {}."`
	// TransferCall passes the caller to a person.
	TransferCall *TransferAction `yaml:"transfer_call,omitempty" json:"transferCall,omitempty" jsonschema_description:"Built-in: passes the caller to a number or a named destination. For now it ends the agent's leg of the call and records and emits the target."`
	// Filler phrases are spoken, one per slow call, while the tool runs.
	Filler []string `yaml:"filler,omitempty" json:"filler,omitempty" jsonschema:"maxItems=10" jsonschema_description:"Phrases spoken (one, in turn) when the tool has not answered within filler_after, so the caller is not left in silence."`
	// FillerAfter is how long the tool may run before a filler is spoken.
	FillerAfter Duration `yaml:"filler_after,omitempty" json:"fillerAfter,omitempty" jsonschema_description:"How long the tool may run before a filler phrase is spoken, 0s to 10s (default 1s)." jsonschema_extras:"default=1s"`
}

// HTTPAction is a tool that calls an HTTP endpoint.
type HTTPAction struct {
	// Method is GET, POST, PUT, PATCH or DELETE.
	Method string `yaml:"method,omitempty" json:"method,omitempty" jsonschema:"enum=GET,enum=POST,enum=PUT,enum=PATCH,enum=DELETE,default=GET" jsonschema_description:"HTTP method (default GET)."`
	// URL may hold {{name}} templates after its host: the tool's arguments
	// and the call's variables, escaped for their place in the URL.
	URL string `yaml:"url" json:"url" jsonschema:"required,minLength=1" jsonschema_description:"http:// or https:// URL. After the host it may hold {{name}} templates: an argument of the tool or a variable of the call, escaped for the URL."`
	// Headers are sent with the request; ${ENV_NAME} in a value is taken
	// from the runtime's environment (secrets never live in the file).
	Headers map[string]string `yaml:"headers,omitempty" json:"headers,omitempty" jsonschema_description:"Request headers. ${NAME} in a value is replaced by the runtime's environment variable NAME, so secrets stay out of the file; an unset variable makes the agent unavailable."`
	// Timeout bounds the whole request.
	Timeout Duration `yaml:"timeout,omitempty" json:"timeout,omitempty" jsonschema_description:"Longest the request may take, 100ms to 30s (default 5s); past it the model is told the tool timed out." jsonschema_extras:"default=5s"`
	// Send says where the arguments go: a JSON body or the query string.
	Send string `yaml:"send,omitempty" json:"send,omitempty" jsonschema:"enum=json,enum=query" jsonschema_description:"Where the arguments go: json (the request body) or query (the query string). Default: query for GET and DELETE, json otherwise."`
	// Body, when set, is the JSON body sent instead of the arguments: its
	// strings may hold {{name}} templates of arguments and variables.
	Body map[string]any `yaml:"body,omitempty" json:"body,omitempty" jsonschema_description:"JSON body to send instead of the arguments (send: json). Its strings may hold {{name}} templates: an argument of the tool or a variable of the call. A string that is exactly one template keeps the value's type (a number stays a number); other strings get the values as text. At most 16 KiB."`
	// MaxResponseBytes bounds the response the model is given.
	MaxResponseBytes int `yaml:"max_response_bytes,omitempty" json:"maxResponseBytes,omitempty" jsonschema:"minimum=1,maximum=1048576,default=16384" jsonschema_description:"Largest response body accepted, in bytes (default 16384, at most 1 MiB); a larger one is reported to the model as an error."`
}

// EndCallAction is the built-in end_call tool; it has no settings.
type EndCallAction struct{}

// TransferAction is the built-in transfer_call tool.
type TransferAction struct {
	// Destinations maps a name the model may use to a number or address.
	Destinations map[string]string `yaml:"destinations,omitempty" json:"destinations,omitempty" jsonschema_description:"Named destinations the model may pick, such as sales: \"+4930123456\"."`
	// AllowNumbers lets the model transfer to a phone number it was given.
	AllowNumbers bool `yaml:"allow_numbers,omitempty" json:"allowNumbers,omitempty" jsonschema_description:"Whether the model may transfer to a phone number that is not a named destination (default false)."`
}

// Tool limits.
const (
	maxTools            = 32
	maxFillers          = 10
	maxFillerRunes      = 200
	defaultToolTimeout  = 5 * time.Second
	defaultFillerAfter  = time.Second
	defaultMaxResponse  = 16 << 10
	maxMaxResponseBytes = 1 << 20
)

var (
	toolNameRE   = regexp.MustCompile(`^[a-zA-Z0-9_-]{1,64}$`)
	headerNameRE = regexp.MustCompile(`^[!#$%&'*+.^_` + "`" + `|~0-9A-Za-z-]+$`)
	envRefRE     = regexp.MustCompile(`\$\{([A-Za-z_][A-Za-z0-9_]*)\}`)
)

// Kind names the tool's action: "http", "end_call" or "transfer_call".
func (t *Tool) Kind() string {
	switch {
	case t.HTTP != nil:
		return "http"
	case t.EndCall != nil:
		return "end_call"
	case t.TransferCall != nil:
		return "transfer_call"
	}
	return ""
}

// TimeoutOrDefault is the HTTP request's deadline, its default applied.
func (h *HTTPAction) TimeoutOrDefault() time.Duration {
	if h.Timeout > 0 {
		return h.Timeout.Std()
	}
	return defaultToolTimeout
}

// MethodOrDefault is the request method, GET when unset.
func (h *HTTPAction) MethodOrDefault() string {
	if h.Method == "" {
		return "GET"
	}
	return h.Method
}

// SendQuery reports whether the arguments go in the query string.
func (h *HTTPAction) SendQuery() bool {
	if h.Send != "" {
		return h.Send == "query"
	}
	m := h.MethodOrDefault()
	return m == "GET" || m == "DELETE"
}

// MaxResponse is the largest response body accepted, its default applied.
func (h *HTTPAction) MaxResponse() int {
	if h.MaxResponseBytes > 0 {
		return h.MaxResponseBytes
	}
	return defaultMaxResponse
}

// FillerDelay is how long the tool runs before a filler is spoken.
func (t *Tool) FillerDelay() time.Duration {
	if t.FillerAfter > 0 {
		return t.FillerAfter.Std()
	}
	return defaultFillerAfter
}

// ExpandEnv replaces each ${NAME} in a header value with the variable's
// value from lookup; it reports the first unset name.
func ExpandEnv(value string, lookup func(string) (string, bool)) (string, string) {
	missing := ""
	out := envRefRE.ReplaceAllStringFunc(value, func(m string) string {
		name := m[2 : len(m)-1]
		v, ok := lookup(name)
		if !ok && missing == "" {
			missing = name
		}
		return v
	})
	return out, missing
}

// validateTools checks the tools: names, one action each, their settings
// and parameter schemas.
func (s *Spec) validateTools(v *validator) {
	if len(s.Tools) > maxTools {
		v.add("tools", "has %d tools; at most %d are allowed", len(s.Tools), maxTools)
	}
	seen := map[string]int{}
	for i := range s.Tools {
		t := &s.Tools[i]
		key := fmt.Sprintf("tools[%d]", i)
		switch {
		case t.Name == "":
			v.add(key+".name", "is required")
		case !toolNameRE.MatchString(t.Name):
			v.add(key+".name", "must hold only letters, digits, '_' and '-', at most 64 characters, not %q", t.Name)
		default:
			if j, dup := seen[t.Name]; dup {
				v.add(key+".name", "%q is also the name of tools[%d]; tool names must be unique", t.Name, j)
			}
			seen[t.Name] = i
		}
		actions := 0
		for _, set := range []bool{t.HTTP != nil, t.EndCall != nil, t.TransferCall != nil} {
			if set {
				actions++
			}
		}
		if actions != 1 {
			v.add(key, "must have exactly one action: http, end_call or transfer_call (it has %d)", actions)
			continue
		}
		if len(t.Filler) > maxFillers {
			v.add(key+".filler", "has %d phrases; at most %d", len(t.Filler), maxFillers)
		}
		for j, f := range t.Filler {
			if strings.TrimSpace(f) == "" || len([]rune(f)) > maxFillerRunes {
				v.add(fmt.Sprintf("%s.filler[%d]", key, j), "must be a phrase of 1 to %d characters", maxFillerRunes)
			}
		}
		if t.FillerAfter != 0 {
			durationRange{key + ".filler_after", 0, 10 * time.Second}.check(v, t.FillerAfter)
		}
		if t.HTTP == nil {
			if t.Parameters != nil {
				v.add(key+".parameters", "is only for http tools: %s has fixed parameters", t.Kind())
			}
		}
		switch {
		case t.HTTP != nil:
			if strings.TrimSpace(t.Description) == "" {
				v.add(key+".description", "is required: it tells the model when to call the tool")
			}
			s.validateHTTP(v, key, t)
		case t.EndCall != nil:
			schema, _ := compileParameters(nil)
			s.setParams(t.Name, schema)
		case t.TransferCall != nil:
			tc := t.TransferCall
			if schema, err := compileParameters(transferParameters(tc)); err == nil {
				s.setParams(t.Name, schema)
			}
			if len(tc.Destinations) == 0 && !tc.AllowNumbers {
				v.add(key+".transfer_call", "needs destinations or allow_numbers: true")
			}
			for name, to := range tc.Destinations {
				if strings.TrimSpace(name) == "" || strings.TrimSpace(to) == "" || len(to) > 256 {
					v.add(key+".transfer_call.destinations."+name, "must map a name to a number or address of at most 256 characters")
				}
			}
		}
	}
}

// validateHTTP checks an http action: method, URL and its templates,
// headers, limits and the parameter schema.
func (s *Spec) validateHTTP(v *validator, key string, t *Tool) {
	h := t.HTTP
	hk := key + ".http"
	switch h.Method {
	case "", "GET", "POST", "PUT", "PATCH", "DELETE":
	default:
		v.add(hk+".method", "must be GET, POST, PUT, PATCH or DELETE, not %q", h.Method)
	}
	switch h.Send {
	case "", "json", "query":
	default:
		v.add(hk+".send", "must be json or query, not %q", h.Send)
	}
	if h.Timeout != 0 {
		durationRange{hk + ".timeout", 100 * time.Millisecond, 30 * time.Second}.check(v, h.Timeout)
	}
	if h.MaxResponseBytes < 0 || h.MaxResponseBytes > maxMaxResponseBytes {
		v.add(hk+".max_response_bytes", "must be between 1 and %d, not %d", maxMaxResponseBytes, h.MaxResponseBytes)
	}
	schema, err := compileParameters(t.Parameters)
	if err != nil {
		v.add(key+".parameters", "is not a valid JSON Schema: %v", err)
	} else {
		s.setParams(t.Name, schema)
	}
	if h.Body != nil {
		s.checkToolBody(v, hk+".body", h, schema)
	}
	if h.URL == "" {
		v.add(hk+".url", "is required")
	} else if err := s.checkToolURL(h.URL, schema); err != nil {
		v.add(hk+".url", "%v", err)
	}
	for name, value := range h.Headers {
		if !headerNameRE.MatchString(name) {
			v.add(hk+".headers."+name, "is not a valid header name")
		}
		if strings.ContainsAny(value, "\r\n") {
			v.add(hk+".headers."+name, "must be one line")
		}
	}
}

// checkToolURL checks that u is an absolute http(s) URL whose scheme and
// host are literal (a template there could send the request anywhere) and
// whose templates name known values.
func (s *Spec) checkToolURL(u string, params *ParamSchema) error {
	scheme, rest, ok := strings.Cut(u, "://")
	if !ok || (scheme != "http" && scheme != "https") {
		return fmt.Errorf("must be an http:// or https:// URL, not %q", u)
	}
	host, _, _ := strings.Cut(rest, "/")
	host, _, _ = strings.Cut(host, "?")
	if host == "" || strings.Contains(host, "{{") {
		return fmt.Errorf("must name its host literally (templates may follow the host), not %q", u)
	}
	used, err := vars.Names(u)
	if err != nil {
		var se *vars.SyntaxError
		if errors.As(err, &se) {
			return errors.New(se.Message)
		}
		return err
	}
	if _, err := url.Parse(vars.Render(u, nil)); err != nil {
		return fmt.Errorf("is not a valid URL: %w", err)
	}
	if params == nil {
		return nil // the parameters are wrong: that is the problem to fix first
	}
	for _, name := range used {
		if !params.Has(name) && !s.knownVariable(name) {
			return fmt.Errorf("names {{%s}}, which is neither a parameter of the tool nor a variable of the agent (declared, or built in: %s)", name, strings.Join(vars.Builtins(), ", "))
		}
	}
	return nil
}

// maxBodyBytes bounds an http tool's body template, as JSON.
const maxBodyBytes = 16 << 10

// checkToolBody checks an http tool's body: sent as JSON, not too large,
// its templates well formed and naming arguments or variables.
func (s *Spec) checkToolBody(v *validator, key string, h *HTTPAction, params *ParamSchema) {
	if h.SendQuery() {
		v.add(key, "is sent as JSON: set send: json (a %s request sends its arguments in the query)", h.MethodOrDefault())
		return
	}
	raw, err := json.Marshal(h.Body)
	if err != nil {
		v.add(key, "cannot be written as JSON: %v", err)
		return
	}
	if len(raw) > maxBodyBytes {
		v.add(key, "is %d bytes as JSON; at most %d", len(raw), maxBodyBytes)
		return
	}
	WalkStrings(h.Body, func(text string) {
		used, err := vars.Names(text)
		if err != nil {
			var se *vars.SyntaxError
			if errors.As(err, &se) {
				v.add(key, "%s", se.Message)
			}
			return
		}
		if params == nil {
			return
		}
		for _, name := range used {
			if !params.Has(name) && !s.knownVariable(name) {
				v.add(key, "names {{%s}}, which is neither a parameter of the tool nor a variable of the agent", name)
			}
		}
	})
}

// WalkStrings calls fn on every string in a YAML or JSON value: map values
// (in the order of their keys, so that problems are reported alike every
// time) and list items, at any depth.
func WalkStrings(x any, fn func(string)) {
	switch t := x.(type) {
	case string:
		fn(t)
	case map[string]any:
		for _, k := range slices.Sorted(maps.Keys(t)) {
			WalkStrings(t[k], fn)
		}
	case []any:
		for _, e := range t {
			WalkStrings(e, fn)
		}
	}
}

// knownVariable reports whether every call of the agent has the variable
// name: declared under variables:, or built in.
func (s *Spec) knownVariable(name string) bool {
	_, declared := s.Variables[name]
	return declared || vars.IsBuiltin(name)
}

// EnvProblems lists the header values that name environment variables
// lookup does not have: such an agent is valid but unavailable here.
func (s *Spec) EnvProblems(lookup func(string) (string, bool)) []string {
	if lookup == nil {
		lookup = os.LookupEnv
	}
	var out []string
	for i, t := range s.Tools {
		if t.HTTP == nil {
			continue
		}
		for name, value := range t.HTTP.Headers {
			if _, missing := ExpandEnv(value, lookup); missing != "" {
				key := fmt.Sprintf("tools[%d].http.headers.%s", i, name)
				out = append(out, Problem{File: s.File, Key: key, Line: (&validator{lines: s.lines}).line(key), Message: fmt.Sprintf("needs the environment variable %s, which is not set", missing)}.String())
			}
		}
	}
	return out
}

// setParams records a tool's compiled parameters.
func (s *Spec) setParams(name string, p *ParamSchema) {
	if s.params == nil {
		s.params = map[string]*ParamSchema{}
	}
	s.params[name] = p
}

// ToolParams returns the compiled parameters of the named tool; nil for a
// tool the agent does not have.
func (s *Spec) ToolParams(name string) *ParamSchema { return s.params[name] }

// Tool returns the named tool, or nil.
func (s *Spec) Tool(name string) *Tool {
	for i := range s.Tools {
		if s.Tools[i].Name == name {
			return &s.Tools[i]
		}
	}
	return nil
}

// Descriptions of the built-in tools when the file gives none.
const (
	endCallDescription = "Hang up the phone call after saying goodbye. Use it when the caller wants to end the call " +
		"or the conversation is over, and say goodbye in the same reply."
	transferDescription = "Transfer the caller to a person. Use it when the caller asks for a person or you cannot help; " +
		"tell the caller you are transferring them in the same reply."
)

// DescriptionOrDefault is the tool's description, or the built-in one.
func (t *Tool) DescriptionOrDefault() string {
	if strings.TrimSpace(t.Description) != "" {
		return t.Description
	}
	switch {
	case t.EndCall != nil:
		return endCallDescription
	case t.TransferCall != nil:
		return transferDescription
	}
	return ""
}

// transferParameters is the schema of a transfer_call tool: a destination,
// one of the named ones unless numbers are allowed.
func transferParameters(tc *TransferAction) map[string]any {
	dest := map[string]any{"type": "string", "description": "Where to transfer the caller"}
	if len(tc.Destinations) > 0 {
		names := make([]any, 0, len(tc.Destinations))
		for _, n := range slices.Sorted(maps.Keys(tc.Destinations)) {
			names = append(names, n)
		}
		if tc.AllowNumbers {
			dest["description"] = fmt.Sprintf("One of %v, or a phone number", names)
		} else {
			dest["enum"] = names
		}
	}
	return map[string]any{"type": "object", "properties": map[string]any{"destination": dest}, "required": []any{"destination"}}
}
