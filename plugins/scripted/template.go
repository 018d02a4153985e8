package main

import (
	"encoding/json"
	"fmt"
	"strconv"
	"strings"
)

// template is a reply with fields of a tool's result or of the call's
// arguments in it: "Your order {{result.status}}." It is parsed when the
// options are, and rendered when the tool has answered.
type template struct {
	parts []part
}

// part is literal text or, when source is set, a field to fill in.
type part struct {
	text   string
	source string   // "result" or "arguments"; "" for literal text
	path   []string // keys into the JSON, outermost first; empty: the whole value
}

// parseTemplate reads the {{...}} fields of text; sources lists those it
// may use. The problems say what is wrong, for an option path.
func parseTemplate(text string, sources ...string) (template, []string) {
	var t template
	var problems []string
	rest := text
	for {
		i := strings.Index(rest, "{{")
		if i < 0 {
			t.parts = append(t.parts, part{text: rest})
			return t, problems
		}
		t.parts = append(t.parts, part{text: rest[:i]})
		j := strings.Index(rest[i:], "}}")
		if j < 0 {
			problems = append(problems, fmt.Sprintf("%q opens {{ without closing it", clip(rest[i:])))
			return t, problems
		}
		field := strings.TrimSpace(rest[i+2 : i+j])
		rest = rest[i+j+2:]
		keys := strings.Split(field, ".")
		ok := false
		for _, s := range sources {
			ok = ok || keys[0] == s
		}
		empty := false
		for _, k := range keys[1:] {
			empty = empty || k == ""
		}
		if !ok || empty {
			problems = append(problems, fmt.Sprintf("{{%s}} is not a field (use {{%s}} or {{%s.key}})", clip(field), strings.Join(sources, "}}, {{"), sources[0]))
			continue
		}
		t.parts = append(t.parts, part{source: keys[0], path: keys[1:]})
	}
}

// render fills the template's fields from values (by source). It fails
// when a field is missing, so that a reply is never spoken with a hole.
func (t template) render(values map[string]any) (string, error) {
	var b strings.Builder
	for _, p := range t.parts {
		if p.source == "" {
			b.WriteString(p.text)
			continue
		}
		v, ok := values[p.source]
		for _, k := range p.path {
			m, isMap := v.(map[string]any)
			if !isMap {
				ok = false
				break
			}
			v, ok = m[k]
		}
		if !ok || v == nil {
			return "", fmt.Errorf("%s.%s is missing", p.source, strings.Join(p.path, "."))
		}
		b.WriteString(spoken(v))
	}
	return b.String(), nil
}

// spoken writes a JSON value as a reply says it: text as it is, numbers
// without exponents, anything else as JSON.
func spoken(v any) string {
	switch v := v.(type) {
	case string:
		return v
	case float64:
		return strconv.FormatFloat(v, 'f', -1, 64)
	case bool:
		return strconv.FormatBool(v)
	default:
		b, _ := json.Marshal(v)
		return string(b)
	}
}

// clip shortens text quoted in a problem.
func clip(s string) string {
	if r := []rune(s); len(r) > 40 {
		return string(r[:40]) + "..."
	}
	return s
}
