package vars

import (
	"fmt"
	"strings"
)

// Template is a text with {{name}} placeholders. A placeholder is "{{",
// optional spaces, a variable name, optional spaces and "}}"; `\{{` is a
// literal "{{". Any other "{{" is a syntax error, so that a misspelt
// placeholder is found when the agent loads rather than read aloud.
type Template struct {
	parts []part
	names []string
}

// part is literal text, or a placeholder when name is set.
type part struct {
	text string
	name string
}

// SyntaxError is a malformed placeholder at byte Offset of a template.
type SyntaxError struct {
	Offset  int
	Message string
}

// Error implements error.
func (e *SyntaxError) Error() string {
	return fmt.Sprintf("template: at byte %d: %s", e.Offset, e.Message)
}

// Parse reads text as a template.
func Parse(text string) (*Template, error) {
	t := &Template{}
	var lit strings.Builder
	seen := map[string]bool{}
	for i := 0; i < len(text); {
		if strings.HasPrefix(text[i:], `\{{`) {
			lit.WriteString("{{")
			i += 3
			continue
		}
		if !strings.HasPrefix(text[i:], "{{") {
			lit.WriteByte(text[i])
			i++
			continue
		}
		end := strings.Index(text[i+2:], "}}")
		if end < 0 {
			return nil, &SyntaxError{Offset: i, Message: fmt.Sprintf(`%q: "{{" is not closed by "}}" (write \{{ for a literal "{{")`, clip(text[i:]))}
		}
		inner := text[i+2 : i+2+end]
		name := strings.Trim(inner, " \t")
		if !ValidName(name) {
			return nil, &SyntaxError{Offset: i, Message: fmt.Sprintf("{{%s}}: %q is not a variable name (lower-case letters, digits and '_', starting with a letter or '_'; write \\{{ for a literal \"{{\")", clip(inner), clip(name))}
		}
		if lit.Len() > 0 {
			t.parts = append(t.parts, part{text: lit.String()})
			lit.Reset()
		}
		t.parts = append(t.parts, part{name: name})
		if !seen[name] {
			seen[name] = true
			t.names = append(t.names, name)
		}
		i += 2 + end + 2
	}
	if lit.Len() > 0 {
		t.parts = append(t.parts, part{text: lit.String()})
	}
	return t, nil
}

// clip shortens s for an error message.
func clip(s string) string {
	const n = 40
	if len(s) <= n {
		return s
	}
	return s[:n] + "..."
}

// Names returns the variables the template uses, each once, in the order
// of their first use.
func (t *Template) Names() []string { return append([]string(nil), t.names...) }

// Static reports whether the template uses no variable: it renders to the
// same text whatever the values.
func (t *Template) Static() bool { return len(t.names) == 0 }

// Render replaces every placeholder with its value's text (Format); a name
// without a value becomes the empty string. Values are inserted as they
// are: a value holding "{{x}}" is not expanded again.
func (t *Template) Render(v Values) string { return t.RenderFunc(v, nil) }

// RenderFunc is Render with escape applied to each value's text (for
// example JSON string escaping for a request body, or url.PathEscape for a
// URL); nil inserts values as they are.
func (t *Template) RenderFunc(v Values, escape func(string) string) string {
	var b strings.Builder
	for _, p := range t.parts {
		if p.name == "" {
			b.WriteString(p.text)
			continue
		}
		s, _ := v.Text(p.name)
		if escape != nil {
			s = escape(s)
		}
		b.WriteString(s)
	}
	return b.String()
}

// Render renders text with v. A text that does not parse (which a loaded
// agent's texts never are) is returned unchanged.
func Render(text string, v Values) string {
	t, err := Parse(text)
	if err != nil {
		return text
	}
	return t.Render(v)
}

// Names returns the variables text uses, or its syntax error.
func Names(text string) ([]string, error) {
	t, err := Parse(text)
	if err != nil {
		return nil, err
	}
	return t.names, nil
}
