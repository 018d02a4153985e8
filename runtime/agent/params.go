package agent

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"strings"

	"github.com/santhosh-tekuri/jsonschema/v6"
	"golang.org/x/text/language"
	"golang.org/x/text/message"
)

// english prints validation messages.
var english = message.NewPrinter(language.English)

// ParamSchema is a tool's compiled parameter schema: what the model is
// shown, and what its arguments are checked against.
type ParamSchema struct {
	// JSON is the schema as sent to the model.
	JSON  json.RawMessage
	props map[string]bool
	s     *jsonschema.Schema
}

// noArguments is the schema of a tool without parameters.
var noArguments = map[string]any{"type": "object", "properties": map[string]any{}}

// maxSchemaBytes bounds a parameter schema (it goes to the model with every
// request).
const maxSchemaBytes = 16 << 10

// errNoRemote refuses every $ref outside the schema: loading an agent file
// must never fetch a URL or read another file.
var errNoRemote = errors.New("$ref must stay within the schema (no files or URLs)")

type refuseLoader struct{}

func (refuseLoader) Load(string) (any, error) { return nil, errNoRemote }

// compileParameters compiles a tool's parameters (nil: none). The schema
// must describe an object.
func compileParameters(params map[string]any) (*ParamSchema, error) {
	if params == nil {
		params = noArguments
	}
	raw, err := json.Marshal(params)
	if err != nil {
		return nil, fmt.Errorf("cannot be written as JSON: %w", err)
	}
	if len(raw) > maxSchemaBytes {
		return nil, fmt.Errorf("is %d bytes as JSON; at most %d", len(raw), maxSchemaBytes)
	}
	if t, _ := params["type"].(string); t != "object" {
		return nil, errors.New(`must have type: object (the arguments are a JSON object)`)
	}
	doc, err := jsonschema.UnmarshalJSON(bytes.NewReader(raw))
	if err != nil {
		return nil, err
	}
	c := jsonschema.NewCompiler()
	c.UseLoader(refuseLoader{})
	c.DefaultDraft(jsonschema.Draft2020)
	const loc = "mem://parameters.json"
	if err := c.AddResource(loc, doc); err != nil {
		return nil, err
	}
	s, err := c.Compile(loc)
	if err != nil {
		return nil, errors.New(schemaError(err))
	}
	ps := &ParamSchema{JSON: raw, s: s, props: map[string]bool{}}
	if props, ok := params["properties"].(map[string]any); ok {
		for name := range props {
			ps.props[name] = true
		}
	}
	return ps, nil
}

// schemaError shortens the compiler's message (it names the in-memory
// location, which means nothing to the reader).
func schemaError(err error) string {
	msg := strings.ReplaceAll(err.Error(), "mem://parameters.json", "parameters")
	return strings.Join(strings.Fields(msg), " ")
}

// Has reports whether name is a declared property of the arguments.
func (p *ParamSchema) Has(name string) bool { return p != nil && p.props[name] }

// Check parses arguments (the model's JSON) and checks them against the
// schema, returning the decoded object.
func (p *ParamSchema) Check(arguments string) (map[string]any, error) {
	if strings.TrimSpace(arguments) == "" {
		arguments = "{}"
	}
	v, err := jsonschema.UnmarshalJSON(strings.NewReader(arguments))
	if err != nil {
		return nil, fmt.Errorf("the arguments are not valid JSON: %w", err)
	}
	obj, ok := v.(map[string]any)
	if !ok {
		return nil, errors.New("the arguments must be a JSON object")
	}
	if err := p.s.Validate(v); err != nil {
		var ve *jsonschema.ValidationError
		if errors.As(err, &ve) {
			return nil, fmt.Errorf("the arguments do not match the parameters: %s", oneLine(ve))
		}
		return nil, fmt.Errorf("the arguments do not match the parameters: %w", err)
	}
	return obj, nil
}

// oneLine flattens a validation error's causes into one line.
func oneLine(ve *jsonschema.ValidationError) string {
	var parts []string
	var walk func(*jsonschema.ValidationError)
	walk = func(e *jsonschema.ValidationError) {
		if len(e.Causes) == 0 {
			loc := "/" + strings.Join(e.InstanceLocation, "/")
			parts = append(parts, fmt.Sprintf("at %s: %s", loc, e.ErrorKind.LocalizedString(english)))
			return
		}
		for _, c := range e.Causes {
			walk(c)
		}
	}
	walk(ve)
	return strings.Join(parts, "; ")
}
