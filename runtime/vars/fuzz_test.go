package vars

import (
	"errors"
	"strings"
	"testing"
)

// FuzzTemplate checks that any text either fails to parse with a
// *SyntaxError inside it, or parses into valid names and renders without
// expanding values: a value holding "{{a}}" comes out as written.
func FuzzTemplate(f *testing.F) {
	for _, s := range []string{"", "Hello {{name}}", "{{ a }}{{b}}", `\{{a}}`, "{{", "}}{{a", "{{A}}", "{{a}}}", "x {{\ta\t}} y", "{{{{a}}}}"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, text string) {
		tpl, err := Parse(text)
		if err != nil {
			var se *SyntaxError
			if !errors.As(err, &se) || se.Offset < 0 || se.Offset >= len(text) {
				t.Fatalf("Parse(%q) = %v, want a *SyntaxError inside the text", text, err)
			}
			return
		}
		values := Values{}
		for _, n := range tpl.Names() {
			if !ValidName(n) {
				t.Fatalf("Parse(%q) names %q, not a variable name", text, n)
			}
			values[n] = "{{" + n + "}}"
		}
		empty := tpl.Render(nil)
		full := tpl.Render(values)
		if len(tpl.Names()) == 0 && full != empty {
			t.Fatalf("a static template rendered %q and %q", full, empty)
		}
		if len(full) < len(empty) || (len(tpl.Names()) > 0 && !strings.Contains(full, "{{"+tpl.Names()[0]+"}}")) {
			t.Fatalf("Render(%q): values not inserted verbatim: %q", text, full)
		}
	})
}
