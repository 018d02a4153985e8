package vars

import (
	"encoding/json"
	"fmt"
	"math"
	"regexp"
	"strconv"
	"unicode/utf8"
)

// Type is the type of a declared variable.
type Type string

// The types a variable may be declared with.
const (
	TypeString  Type = "string"
	TypeNumber  Type = "number"
	TypeInteger Type = "integer"
	TypeBoolean Type = "boolean"
)

// Types lists every type, for messages and schemas.
var Types = []Type{TypeString, TypeNumber, TypeInteger, TypeBoolean}

// Valid reports whether t is one of Types.
func (t Type) Valid() bool {
	switch t {
	case TypeString, TypeNumber, TypeInteger, TypeBoolean:
		return true
	}
	return false
}

// what names a value of t in "must be X" messages.
func (t Type) what() string {
	switch t {
	case TypeString:
		return "a string"
	case TypeNumber:
		return "a number"
	case TypeInteger:
		return "a whole number (integer)"
	case TypeBoolean:
		return "true or false"
	}
	return string(t)
}

// Limits on the values of one call.
const (
	// MaxCount is the most variables an agent declares or a call is given.
	MaxCount = 64
	// MaxString is the longest string value, in bytes.
	MaxString = 4 << 10
	// MaxNameLength is the longest variable name.
	MaxNameLength = 64
)

var nameRE = regexp.MustCompile(`^[a-z_][a-z0-9_]*$`)

// ValidName reports whether s is a variable name: lower-case letters,
// digits and '_', starting with a letter or '_', at most MaxNameLength
// bytes.
func ValidName(s string) bool { return len(s) <= MaxNameLength && nameRE.MatchString(s) }

// maxExactInt is the largest integer a float64 holds exactly (2^53).
const maxExactInt = 1 << 53

// Check returns v as a value of type t in its canonical Go type (string,
// float64, int64 or bool), or an error saying what is wrong. It takes what
// JSON and YAML decoders produce: string, bool, json.Number, float64 and
// the Go integer types. A number type takes integers too; an integer type
// takes a float with no fraction (from a JSON decoder without UseNumber)
// up to 2^53.
func (t Type) Check(v any) (any, error) {
	switch t {
	case TypeString:
		s, ok := v.(string)
		if !ok {
			break
		}
		if len(s) > MaxString {
			return nil, fmt.Errorf("is %d bytes; the limit is %d", len(s), MaxString)
		}
		if !utf8.ValidString(s) {
			return nil, fmt.Errorf("is not valid UTF-8")
		}
		return s, nil
	case TypeBoolean:
		if b, ok := v.(bool); ok {
			return b, nil
		}
	case TypeInteger:
		if n, ok := asInt(v); ok {
			return n, nil
		}
		if f, ok := asFloat(v); ok && f == math.Trunc(f) {
			return nil, fmt.Errorf("is out of range for an integer: write it in plain digits, from -9223372036854775808 to 9223372036854775807")
		}
	case TypeNumber:
		if n, ok := asInt(v); ok {
			return n, nil
		}
		if n, ok := v.(json.Number); ok {
			if _, err := strconv.ParseFloat(string(n), 64); err != nil {
				return nil, fmt.Errorf("must be a finite number: %s is out of range", clip(string(n)))
			}
		}
		if f, ok := asFloat(v); ok {
			if math.IsNaN(f) || math.IsInf(f, 0) {
				return nil, fmt.Errorf("must be a finite number")
			}
			return f, nil
		}
	default:
		return nil, fmt.Errorf("has the unknown type %q", string(t))
	}
	return nil, fmt.Errorf("must be %s, not %s", t.what(), Describe(v))
}

// asInt returns v as an int64 when it is a whole number that fits.
func asInt(v any) (int64, bool) {
	switch n := v.(type) {
	case int:
		return int64(n), true
	case int64:
		return n, true
	case int32:
		return int64(n), true
	case uint64:
		if n <= math.MaxInt64 {
			return int64(n), true
		}
	case json.Number:
		if i, err := strconv.ParseInt(string(n), 10, 64); err == nil {
			return i, true
		}
		if f, err := n.Float64(); err == nil && f == math.Trunc(f) && math.Abs(f) <= maxExactInt {
			return int64(f), true
		}
	case float64:
		if n == math.Trunc(n) && math.Abs(n) <= maxExactInt {
			return int64(n), true
		}
	}
	return 0, false
}

// asFloat returns v as a float64 when it is a number.
func asFloat(v any) (float64, bool) {
	switch n := v.(type) {
	case float64:
		return n, true
	case float32:
		return float64(n), true
	case json.Number:
		f, err := n.Float64()
		return f, err == nil
	}
	return 0, false
}

// Describe names a value for "must be X, not Y" messages, without
// repeating a long value.
func Describe(v any) string {
	switch x := v.(type) {
	case nil:
		return "null"
	case string:
		if len(x) > 40 {
			return fmt.Sprintf("a string of %d bytes", len(x))
		}
		return strconv.Quote(x)
	case bool:
		return strconv.FormatBool(x)
	case json.Number, float64, float32, int, int64, int32, uint64:
		return "the number " + Format(x)
	case map[string]any:
		return "an object"
	case []any:
		return "a list"
	}
	return fmt.Sprintf("a %T", v)
}

// Format is the text of a value in a rendered template: strings as they
// are, numbers in decimal (no exponent below 1e21), booleans as true and
// false.
func Format(v any) string {
	switch x := v.(type) {
	case string:
		return x
	case bool:
		return strconv.FormatBool(x)
	case int64:
		return strconv.FormatInt(x, 10)
	case int:
		return strconv.Itoa(x)
	case float64:
		if math.Abs(x) < 1e21 {
			return strconv.FormatFloat(x, 'f', -1, 64)
		}
		return strconv.FormatFloat(x, 'g', -1, 64)
	case json.Number:
		if f, ok := asFloat(x); ok {
			if i, ok := asInt(x); ok {
				return strconv.FormatInt(i, 10)
			}
			return Format(f)
		}
		return string(x)
	case nil:
		return ""
	}
	return fmt.Sprint(v)
}

// Values maps variable names to their values (canonical Go types: string,
// float64, int64, bool).
type Values map[string]any

// Text returns the text of name's value, and whether it has one.
func (v Values) Text(name string) (string, bool) {
	x, ok := v[name]
	if !ok {
		return "", false
	}
	return Format(x), true
}
