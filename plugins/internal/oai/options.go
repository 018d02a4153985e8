package oai

import (
	"encoding/json"
	"fmt"
	"math"
	"slices"
	"sort"
	"strings"
	"time"

	"github.com/parleyhq/parley/runtime/provider"
)

// OptionReader reads typed values out of an agent's provider options and
// collects every problem it meets, so that validation reports them all at
// once. A key whose value is null counts as absent.
type OptionReader struct {
	opts     provider.Options
	problems []provider.OptionProblem
}

// NewOptionReader reads opts (nil reads as empty).
func NewOptionReader(opts provider.Options) *OptionReader {
	return &OptionReader{opts: opts}
}

// Problemf records a problem with option key.
func (r *OptionReader) Problemf(key, format string, args ...any) {
	r.problems = append(r.problems, provider.OptionProblem{Option: key, Message: fmt.Sprintf(format, args...)})
}

// Problems returns every problem recorded so far, in the order found.
func (r *OptionReader) Problems() []provider.OptionProblem { return r.problems }

// Err returns nil without problems, otherwise one error wrapping
// provider.ErrInvalidOptions that names them all.
func (r *OptionReader) Err() error { return ProblemsError(r.problems) }

// ProblemsError turns option problems into one error wrapping
// provider.ErrInvalidOptions, or nil when there are none.
func ProblemsError(problems []provider.OptionProblem) error {
	if len(problems) == 0 {
		return nil
	}
	msgs := make([]string, len(problems))
	for i, p := range problems {
		msgs[i] = p.String()
	}
	return fmt.Errorf("%w: %s", provider.ErrInvalidOptions, strings.Join(msgs, "; "))
}

// RejectUnknown records a problem for every option not in known, in
// alphabetical order.
func (r *OptionReader) RejectUnknown(known ...string) {
	var unknown []string
	for k := range r.opts {
		if !slices.Contains(known, k) {
			unknown = append(unknown, k)
		}
	}
	sort.Strings(unknown)
	sorted := slices.Clone(known)
	sort.Strings(sorted)
	for _, k := range unknown {
		r.Problemf(k, "unknown option (known: %s)", strings.Join(sorted, ", "))
	}
}

// Has reports whether option key is set (to something other than null).
func (r *OptionReader) Has(key string) bool {
	_, ok := r.lookup(key)
	return ok
}

// lookup returns the value of key, false when it is absent or null.
func (r *OptionReader) lookup(key string) (any, bool) {
	v, ok := r.opts[key]
	return v, ok && v != nil
}

// String returns the string option key, or def when it is absent.
func (r *OptionReader) String(key, def string) string {
	v, ok := r.lookup(key)
	if !ok {
		return def
	}
	s, isString := v.(string)
	if !isString {
		r.Problemf(key, "must be a string, not %s", describe(v))
		return def
	}
	return s
}

// Bool returns the boolean option key, or def when it is absent.
func (r *OptionReader) Bool(key string, def bool) bool {
	v, ok := r.lookup(key)
	if !ok {
		return def
	}
	b, isBool := v.(bool)
	if !isBool {
		r.Problemf(key, "must be true or false, not %s", describe(v))
		return def
	}
	return b
}

// OneOf returns the string option key, which must be one of allowed, or
// def when it is absent.
func (r *OptionReader) OneOf(key, def string, allowed ...string) string {
	before := len(r.problems)
	s := r.String(key, def)
	if len(r.problems) > before || slices.Contains(allowed, s) {
		return s
	}
	r.Problemf(key, "must be one of %s, not %q", strings.Join(allowed, ", "), s)
	return def
}

// Float returns the number option key within [lo, hi]; ok is false when it
// is absent or invalid.
func (r *OptionReader) Float(key string, lo, hi float64) (v float64, ok bool) {
	raw, present := r.lookup(key)
	if !present {
		return 0, false
	}
	f, isNumber := number(raw)
	if !isNumber {
		r.Problemf(key, "must be a number, not %s", describe(raw))
		return 0, false
	}
	if f < lo || f > hi {
		r.Problemf(key, "must be between %s and %s, not %s", fmtFloat(lo), fmtFloat(hi), fmtFloat(f))
		return 0, false
	}
	return f, true
}

// Int returns the whole-number option key within [lo, hi], or def when it
// is absent or invalid.
func (r *OptionReader) Int(key string, def, lo, hi int) int {
	raw, present := r.lookup(key)
	if !present {
		return def
	}
	f, isNumber := number(raw)
	if !isNumber || f != math.Trunc(f) {
		r.Problemf(key, "must be a whole number, not %s", describe(raw))
		return def
	}
	if f < float64(lo) || f > float64(hi) {
		r.Problemf(key, "must be between %d and %d, not %s", lo, hi, fmtFloat(f))
		return def
	}
	return int(f)
}

// Duration returns the duration option key (a string such as "30s" or
// "1m30s") within [lo, hi], or def when it is absent or invalid.
func (r *OptionReader) Duration(key string, def, lo, hi time.Duration) time.Duration {
	raw, present := r.lookup(key)
	if !present {
		return def
	}
	s, isString := raw.(string)
	if !isString {
		r.Problemf(key, "must be a duration string such as \"30s\", not %s", describe(raw))
		return def
	}
	d, err := time.ParseDuration(s)
	if err != nil {
		r.Problemf(key, "must be a duration such as \"30s\" or \"1m30s\", not %q", s)
		return def
	}
	if d < lo || d > hi {
		r.Problemf(key, "must be between %s and %s, not %s", lo, hi, d)
		return def
	}
	return d
}

// number reads the numeric types options hold: float64 from JSON, the
// integer types from Go callers.
func number(v any) (float64, bool) {
	switch n := v.(type) {
	case float64:
		return n, !math.IsNaN(n) && !math.IsInf(n, 0)
	case float32:
		return float64(n), !math.IsNaN(float64(n)) && !math.IsInf(float64(n), 0)
	case int:
		return float64(n), true
	case int32:
		return float64(n), true
	case int64:
		return float64(n), true
	case json.Number:
		f, err := n.Float64()
		return f, err == nil
	}
	return 0, false
}

// describe names a value's kind for a message, with the value itself when
// it is short.
func describe(v any) string {
	switch x := v.(type) {
	case string:
		if len(x) > 40 {
			return "a string"
		}
		return fmt.Sprintf("%q", x)
	case bool:
		return fmt.Sprintf("%t", x)
	case map[string]any:
		return "an object"
	case []any:
		return "a list"
	}
	if f, ok := number(v); ok {
		return fmtFloat(f)
	}
	return fmt.Sprintf("a %T", v)
}

func fmtFloat(f float64) string { return fmt.Sprintf("%g", f) }
