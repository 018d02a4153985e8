package agent

import (
	"regexp"
	"slices"
)

// templateRE matches a {{name}} template, spaces allowed inside.
var templateRE = regexp.MustCompile(`\{\{\s*([A-Za-z_][A-Za-z0-9_]*)\s*\}\}`)

// TemplateNames lists the names s's {{name}} templates use, in order of
// first use.
func TemplateNames(s string) []string {
	var out []string
	for _, m := range templateRE.FindAllStringSubmatch(s, -1) {
		if !slices.Contains(out, m[1]) {
			out = append(out, m[1])
		}
	}
	return out
}

// RenderTemplate replaces each {{name}} in s with value(name); a value is
// never expanded again.
func RenderTemplate(s string, value func(name string) string) string {
	return templateRE.ReplaceAllStringFunc(s, func(m string) string {
		return value(templateRE.FindStringSubmatch(m)[1])
	})
}

// knownVariable reports whether name is a variable a call of this agent
// has.
func (s *Spec) knownVariable(name string) bool {
	return slices.Contains(BuiltinVariables, name)
}

// BuiltinVariables are the variables every call has.
var BuiltinVariables = []string{"caller_number", "call_id", "agent_name", "date", "time"}
