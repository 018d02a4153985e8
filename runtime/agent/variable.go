package agent

import (
	"errors"
	"fmt"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/invopop/jsonschema"

	"github.com/parleyhq/parley/runtime/vars"
)

// Variable declares one per-call variable of an agent.
type Variable struct {
	// Type is what values the variable takes.
	Type vars.Type `yaml:"type" json:"type" jsonschema:"required,enum=string,enum=number,enum=integer,enum=boolean" jsonschema_description:"What values the variable takes: string (at most 4 KiB), number, integer or boolean."`
	// Required makes a call without the variable a 400.
	Required bool `yaml:"required,omitempty" json:"required,omitempty" jsonschema_description:"Whether every call must give the variable (default false). A required variable has no default."`
	// Default is the value of a call that does not give one; nil for none
	// (the placeholder then renders empty).
	Default any `yaml:"default,omitempty" json:"default,omitempty" jsonschema_description:"Value used when a call does not give one, of the variable's type; omit for none (the placeholder then renders as empty text)."`
	// Description says what the variable is for.
	Description string `yaml:"description,omitempty" json:"description,omitempty" jsonschema_description:"What the variable is for, for people writing calls."`
}

// JSONSchemaExtend restricts default to the scalar types.
func (Variable) JSONSchemaExtend(s *jsonschema.Schema) {
	if d, ok := s.Properties.Get("default"); ok {
		d.Type = ""
		d.OneOf = []*jsonschema.Schema{{Type: "string"}, {Type: "number"}, {Type: "boolean"}}
	}
}

// JSONSchemaExtend gives variables: the checks of its names and count.
func (Spec) JSONSchemaExtend(s *jsonschema.Schema) {
	v, ok := s.Properties.Get("variables")
	if !ok {
		return
	}
	builtins := make([]any, 0, len(vars.Builtins()))
	for _, b := range vars.Builtins() {
		builtins = append(builtins, b)
	}
	maxCount := uint64(vars.MaxCount)
	v.MaxProperties = &maxCount
	v.PropertyNames = &jsonschema.Schema{
		Pattern: fmt.Sprintf("^[a-z_][a-z0-9_]{0,%d}$", vars.MaxNameLength-1),
		Not:     &jsonschema.Schema{Enum: builtins},
	}
}

// Declarations returns the agent's variables for vars.Bind, each default
// in its canonical type.
func (s *Spec) Declarations() map[string]vars.Decl {
	out := make(map[string]vars.Decl, len(s.Variables))
	for name, v := range s.Variables {
		d := vars.Decl{Type: v.Type, Required: v.Required}
		if v.Default != nil {
			d.Default, _ = v.Type.Check(v.Default) // checked when the agent loaded
		}
		out[name] = d
	}
	return out
}

// Location returns the agent's time zone (UTC when it sets none, or its
// name does not load, which a loaded agent's never does).
func (s *Spec) Location() *time.Location {
	loc, err := loadLocation(s.Timezone)
	if err != nil {
		return time.UTC
	}
	return loc
}

// locations caches loaded time zones: time.LoadLocation reads a file each
// time. It holds at most one entry per valid IANA name.
var locations sync.Map

func loadLocation(name string) (*time.Location, error) {
	if name == "" || name == "UTC" {
		return time.UTC, nil
	}
	if l, ok := locations.Load(name); ok {
		return l.(*time.Location), nil
	}
	if name == "Local" || strings.HasPrefix(name, "/") {
		return nil, errNotIANA
	}
	loc, err := time.LoadLocation(name)
	if err != nil {
		return nil, err
	}
	locations.Store(name, loc)
	return loc, nil
}

// errNotIANA refuses the names LoadLocation takes that are not IANA zones:
// the machine's own zone, and paths.
var errNotIANA = errors.New("not an IANA time zone name")

// templateKeys are the keys whose text is a template, in file order.
var templateKeys = []string{"system_prompt", "greeting"}

func (s *Spec) template(key string) string {
	switch key {
	case "system_prompt":
		return s.SystemPrompt
	case "greeting":
		return s.Greeting
	}
	return ""
}

// validateVariables checks the declarations, the time zone and that every
// template uses only declared or built-in variables.
func (s *Spec) validateVariables(v *validator) {
	if s.Timezone != "" {
		if _, err := loadLocation(s.Timezone); err != nil {
			v.add("timezone", "must be an IANA time zone name such as Europe/Berlin, Asia/Seoul or UTC, not %q", s.Timezone)
		}
	}
	if n := len(s.Variables); n > vars.MaxCount {
		v.add("variables", "declares %d variables; the limit is %d", n, vars.MaxCount)
	}
	names := make([]string, 0, len(s.Variables))
	for name := range s.Variables {
		names = append(names, name)
	}
	slices.Sort(names)
	for _, name := range names {
		d, key := s.Variables[name], "variables."+name
		switch {
		case vars.IsBuiltin(name):
			v.add(key, "%s is a built-in variable; it needs no declaration and cannot be declared", name)
		case !vars.ValidName(name):
			v.add(key, "is not a variable name: use lower-case letters, digits and '_', starting with a letter or '_', at most %d characters", vars.MaxNameLength)
		}
		switch {
		case d.Type == "":
			v.add(key+".type", "is required (one of %s)", typeChoices())
		case !d.Type.Valid():
			v.add(key+".type", "must be one of %s, not %q", typeChoices(), string(d.Type))
		case d.Default != nil && d.Required:
			v.add(key+".default", "a required variable has no default: remove default, or required")
		case d.Default != nil:
			if _, err := d.Type.Check(d.Default); err != nil {
				v.add(key+".default", "%s", err.Error())
			}
		}
	}
	for _, key := range templateKeys {
		s.checkTemplate(v, key, s.template(key))
	}
}

// checkTemplate reports, at key, a malformed placeholder in text or one
// naming a variable that is neither declared nor a built-in. Every key
// whose text is a template (tool URLs and bodies too) goes through it.
func (s *Spec) checkTemplate(v *validator, key, text string) {
	used, err := vars.Names(text)
	var se *vars.SyntaxError
	if errors.As(err, &se) {
		v.add(key, "%s", se.Message)
		return
	}
	for _, name := range used {
		if _, declared := s.Variables[name]; !declared && !vars.IsBuiltin(name) {
			v.add(key, "uses {{%s}}, which is neither declared under variables: nor a built-in (%s)", name, strings.Join(vars.Builtins(), ", "))
		}
	}
}

func typeChoices() string {
	out := make([]string, len(vars.Types))
	for i, t := range vars.Types {
		out[i] = string(t)
	}
	return strings.Join(out, ", ")
}
