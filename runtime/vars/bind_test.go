package vars

import (
	"encoding/json"
	"errors"
	"math"
	"strings"
	"testing"
)

var decls = map[string]Decl{
	"name":   {Type: TypeString, Required: true},
	"order":  {Type: TypeInteger},
	"amount": {Type: TypeNumber, Default: 9.5},
	"vip":    {Type: TypeBoolean, Default: false},
	"note":   {Type: TypeString},
}

func TestBind(t *testing.T) {
	got, err := Bind(decls, map[string]any{"name": "Ada", "order": json.Number("12345"), "amount": json.Number("3")})
	if err != nil {
		t.Fatal(err)
	}
	want := Values{"name": "Ada", "order": int64(12345), "amount": int64(3), "vip": false}
	if len(got) != len(want) {
		t.Errorf("Bind = %v, want %v", got, want)
	}
	for k, w := range want {
		if got[k] != w {
			t.Errorf("%s = %#v, want %#v", k, got[k], w)
		}
	}
	if _, ok := got["note"]; ok {
		t.Errorf("note has no default and was not given, but has a value")
	}
	// A float from a decoder without UseNumber counts as an integer when whole.
	if got, err := Bind(decls, map[string]any{"name": "x", "order": 7.0}); err != nil || got["order"] != int64(7) {
		t.Errorf("order 7.0: %v %v", got, err)
	}
}

func TestBindProblems(t *testing.T) {
	for _, tc := range []struct {
		name  string
		given map[string]any
		want  []string
	}{
		{"missing required", map[string]any{}, []string{"variables.name: is required"}},
		{"unknown", map[string]any{"name": "x", "colour": "red"}, []string{"variables.colour: is not declared by this agent (it declares amount, name, note, order, vip)"}},
		{"built-in", map[string]any{"name": "x", "call_id": "y"}, []string{"variables.call_id: is a built-in variable"}},
		{"string for integer", map[string]any{"name": "x", "order": "12"}, []string{`variables.order: must be a whole number (integer), not "12"`}},
		{"fraction for integer", map[string]any{"name": "x", "order": json.Number("1.5")}, []string{"variables.order: must be a whole number (integer), not the number 1.5"}},
		{"number for string", map[string]any{"name": json.Number("1")}, []string{"variables.name: must be a string, not the number 1"}},
		{"string for boolean", map[string]any{"name": "x", "vip": "true"}, []string{`variables.vip: must be true or false, not "true"`}},
		{"object", map[string]any{"name": map[string]any{}}, []string{"variables.name: must be a string, not an object"}},
		{"null", map[string]any{"name": nil}, []string{"variables.name: must be a string, not null"}},
		{"long string", map[string]any{"name": strings.Repeat("a", MaxString+1)}, []string{"variables.name: is 4097 bytes; the limit is 4096"}},
		{"infinite", map[string]any{"name": "x", "amount": math.Inf(1)}, []string{"variables.amount: must be a finite number"}},
		{"out of float range", map[string]any{"name": "x", "amount": json.Number("1e400")}, []string{"variables.amount: must be a finite number: 1e400 is out of range"}},
		{"out of integer range", map[string]any{"name": "x", "order": json.Number("1e20")}, []string{"variables.order: is out of range"}},
		{"several", map[string]any{"order": "x", "zzz": 1}, []string{"variables.name: is required", "variables.order: must be", "variables.zzz: is not declared"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := Bind(decls, tc.given)
			var be *BindError
			if !errors.As(err, &be) {
				t.Fatalf("err = %v, want a *BindError", err)
			}
			msg := err.Error()
			last := -1
			for _, w := range tc.want {
				i := strings.Index(msg, w)
				if i < 0 || i < last {
					t.Errorf("error %q does not contain %q (in order)", msg, w)
				}
				last = i
			}
		})
	}
	many := map[string]any{}
	for i := range MaxCount + 1 {
		many[strings.Repeat("a", i+1)] = "x"
	}
	if _, err := Bind(decls, many); err == nil || !strings.Contains(err.Error(), "65 values given; the limit is 64") {
		t.Errorf("too many: %v", err)
	}
	if _, err := Bind(nil, map[string]any{"a": "b"}); err == nil || !strings.Contains(err.Error(), "this agent declares no variables") {
		t.Errorf("no declarations: %v", err)
	}
}
