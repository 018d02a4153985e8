package vars

import (
	"encoding/json"
	"errors"
	"net/url"
	"slices"
	"strings"
	"testing"
	"time"
)

func TestRender(t *testing.T) {
	v := Values{"name": "Ada", "n": int64(3), "f": 2.5, "ok": true, "x": "{{name}}", "big": 1e22}
	for _, tc := range []struct{ in, want string }{
		{"Hello {{name}}!", "Hello Ada!"},
		{"{{ name }} and {{\tname\t}}", "Ada and Ada"},
		{"{{n}} {{f}} {{ok}} {{big}}", "3 2.5 true 1e+22"},
		{"no vars", "no vars"},
		{"", ""},
		{"missing: [{{other}}]", "missing: []"},
		{"value is not expanded again: {{x}}", "value is not expanded again: {{name}}"},
		{`literal \{{name}} and {{name}}`, "literal {{name}} and Ada"},
		{"single { and } and }} stay", "single { and } and }} stay"},
		{"{{name}}{{name}}", "AdaAda"},
		{"유니코드 {{name}} 끝", "유니코드 Ada 끝"},
	} {
		tpl, err := Parse(tc.in)
		if err != nil {
			t.Errorf("Parse(%q): %v", tc.in, err)
			continue
		}
		if got := tpl.Render(v); got != tc.want {
			t.Errorf("Render(%q) = %q, want %q", tc.in, got, tc.want)
		}
		if got := Render(tc.in, v); got != tc.want {
			t.Errorf("vars.Render(%q) = %q, want %q", tc.in, got, tc.want)
		}
	}
}

func TestParseErrors(t *testing.T) {
	for _, tc := range []struct {
		in     string
		offset int
		want   string
	}{
		{"Hi {{name", 3, "not closed"},
		{"Hi {{Name}}", 3, `"Name" is not a variable name`},
		{"{{}}", 0, `"" is not a variable name`},
		{"a {{first name}}", 2, `"first name" is not a variable name`},
		{"{{1st}}", 0, "not a variable name"},
		{"ok {{a}} then {{a-b}}", 14, "not a variable name"},
		{"{{{a}}}", 0, "not a variable name"},
	} {
		_, err := Parse(tc.in)
		var se *SyntaxError
		if !errors.As(err, &se) {
			t.Errorf("Parse(%q) = %v, want a *SyntaxError", tc.in, err)
			continue
		}
		if se.Offset != tc.offset || !strings.Contains(se.Message, tc.want) {
			t.Errorf("Parse(%q) = offset %d %q, want offset %d containing %q", tc.in, se.Offset, se.Message, tc.offset, tc.want)
		}
		if got := Render(tc.in, Values{"a": "x"}); got != tc.in {
			t.Errorf("Render of a bad template = %q, want it unchanged", got)
		}
	}
}

func TestNames(t *testing.T) {
	got, err := Names("{{b}} {{a}} {{ b }} {{call_id}} \\{{c}}")
	if err != nil {
		t.Fatal(err)
	}
	if want := []string{"b", "a", "call_id"}; !slices.Equal(got, want) {
		t.Errorf("Names = %v, want %v", got, want)
	}
	tpl, _ := Parse("plain")
	if !tpl.Static() || len(tpl.Names()) != 0 {
		t.Errorf("a text without placeholders is not static")
	}
}

func TestRenderFunc(t *testing.T) {
	tpl, err := Parse(`{"q": "{{q}}"} /orders/{{q}}`)
	if err != nil {
		t.Fatal(err)
	}
	jsonEscape := func(s string) string { b, _ := json.Marshal(s); return string(b[1 : len(b)-1]) }
	got := tpl.RenderFunc(Values{"q": `a"b/c`}, jsonEscape)
	if want := `{"q": "a\"b/c"} /orders/a\"b/c`; got != want {
		t.Errorf("RenderFunc = %q, want %q", got, want)
	}
	if got := tpl.RenderFunc(Values{"q": "a b/c"}, url.PathEscape); !strings.HasSuffix(got, "/orders/a%20b%2Fc") {
		t.Errorf("RenderFunc with url.PathEscape = %q", got)
	}
}

func TestBuiltins(t *testing.T) {
	berlin, err := time.LoadLocation("Europe/Berlin")
	if err != nil {
		t.Fatal(err)
	}
	now := time.Date(2026, 12, 3, 13, 5, 9, 0, time.UTC)
	v := Facts{CallID: "id-1", CallerNumber: "01012345678", Agent: "shop", Now: now, Location: berlin}.With(Values{"name": "Ada", Date: "spoofed"})
	want := map[string]string{
		CallID: "id-1", CallerNumber: "01012345678", AgentName: "shop", "name": "Ada",
		Date: "2026-12-03", Time: "14:05", Weekday: "Thursday", DateTime: "2026-12-03T14:05:09+01:00", Timezone: "Europe/Berlin",
	}
	for k, w := range want {
		if got, _ := v.Text(k); got != w {
			t.Errorf("%s = %q, want %q", k, got, w)
		}
	}
	if got, _ := (Facts{Now: now}).With(nil).Text(Time); got != "13:05" {
		t.Errorf("time without a location = %q, want UTC 13:05", got)
	}
	for _, b := range Builtins() {
		if !IsBuiltin(b) || !ValidName(b) {
			t.Errorf("built-in %q: IsBuiltin %v ValidName %v", b, IsBuiltin(b), ValidName(b))
		}
	}
}
