package vars

import (
	"fmt"
	"slices"
	"strings"
)

// Decl declares one variable of an agent.
type Decl struct {
	Type     Type
	Required bool
	// Default is the value when a call is given none (already checked
	// against Type); nil for none.
	Default any
}

// Problem is one thing wrong with the values given to a call.
type Problem struct {
	Name    string // the variable; empty for the set as a whole
	Message string
}

// BindError lists every problem with the values given to a call, sorted by
// name.
type BindError struct {
	Problems []Problem
}

// Error implements error: "variables.name: message", joined by "; ".
func (e *BindError) Error() string {
	parts := make([]string, len(e.Problems))
	for i, p := range e.Problems {
		key := "variables"
		if p.Name != "" {
			key += "." + p.Name
		}
		parts[i] = key + ": " + p.Message
	}
	return strings.Join(parts, "; ")
}

// Bind checks given against decls and returns the call's values: each
// given value in its canonical type, and the default of each declared
// variable not given. A name that is not declared (or is a built-in), a
// required variable not given, a value of the wrong type, a string over
// MaxString bytes, a non-finite number and more than MaxCount values are
// problems, reported together as a *BindError.
func Bind(decls map[string]Decl, given map[string]any) (Values, error) {
	if len(given) > MaxCount {
		return nil, &BindError{Problems: []Problem{{Message: fmt.Sprintf("%d values given; the limit is %d", len(given), MaxCount)}}}
	}
	var problems []Problem
	out := make(Values, len(decls))
	for name, v := range given {
		d, ok := decls[name]
		switch {
		case IsBuiltin(name):
			problems = append(problems, Problem{name, "is a built-in variable; it cannot be given"})
			continue
		case !ok:
			problems = append(problems, Problem{clip(name), notDeclared(decls)})
			continue
		}
		c, err := d.Type.Check(v)
		if err != nil {
			problems = append(problems, Problem{name, err.Error()})
			continue
		}
		out[name] = c
	}
	for name, d := range decls {
		if _, ok := given[name]; ok {
			continue
		}
		switch {
		case d.Required:
			problems = append(problems, Problem{name, fmt.Sprintf("is required (%s)", d.Type)})
		case d.Default != nil:
			out[name] = d.Default
		}
	}
	if len(problems) > 0 {
		slices.SortFunc(problems, func(a, b Problem) int { return strings.Compare(a.Name, b.Name) })
		return nil, &BindError{Problems: problems}
	}
	return out, nil
}

func notDeclared(decls map[string]Decl) string {
	if len(decls) == 0 {
		return "is not declared: this agent declares no variables"
	}
	names := make([]string, 0, len(decls))
	for n := range decls {
		names = append(names, n)
	}
	slices.Sort(names)
	if len(names) > 10 {
		names = append(names[:10], "...")
	}
	return "is not declared by this agent (it declares " + strings.Join(names, ", ") + ")"
}
