package agent

import (
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/invopop/jsonschema"
	"go.yaml.in/yaml/v3"
)

// Duration is a time.Duration written in agent files as a Go duration
// string such as "700ms" or "2s". A bare number is rejected because its unit
// would be a guess.
type Duration time.Duration

// durationPattern is the JSON Schema pattern accepted by ParseDuration: one or
// more number+unit pairs, no sign.
const durationPattern = `^(([0-9]+(\.[0-9]*)?|\.[0-9]+)(ns|us|µs|μs|ms|s|m|h))+$`

// durationHint is appended to messages about malformed durations.
const durationHint = `write a duration with units, such as "700ms", "1.5s" or "2m"`

// ParseDuration parses a non-negative duration with units.
func ParseDuration(s string) (Duration, error) {
	switch {
	case s == "":
		return 0, fmt.Errorf("is empty: %s", durationHint)
	case strings.HasPrefix(s, "-"):
		return 0, fmt.Errorf("must not be negative (%q)", s)
	case strings.HasPrefix(s, "+"):
		return 0, fmt.Errorf("must not have a sign (%q): %s", s, durationHint)
	}
	if _, err := strconv.ParseFloat(s, 64); err == nil {
		return 0, fmt.Errorf("%q has no unit: %s", s, durationHint)
	}
	d, err := time.ParseDuration(s)
	if err != nil {
		return 0, fmt.Errorf("%q is not a duration: %s", s, durationHint)
	}
	return Duration(d), nil
}

// Std returns d as a time.Duration.
func (d Duration) Std() time.Duration { return time.Duration(d) }

// String formats d the way time.Duration does ("700ms", "1m30s").
func (d Duration) String() string { return time.Duration(d).String() }

// MarshalText writes d as a duration string, so JSON shows "700ms".
func (d Duration) MarshalText() ([]byte, error) { return []byte(d.String()), nil }

// UnmarshalText parses a duration string with ParseDuration.
func (d *Duration) UnmarshalText(b []byte) error {
	v, err := ParseDuration(string(b))
	if err != nil {
		return fmt.Errorf("duration: %w", err)
	}
	*d = v
	return nil
}

// MarshalYAML writes d as a duration string.
func (d Duration) MarshalYAML() (any, error) { return d.String(), nil }

// UnmarshalYAML decodes a duration string. Errors are returned as
// *yaml.TypeError so the decoder keeps going and reports them with the rest.
func (d *Duration) UnmarshalYAML(value *yaml.Node) error {
	if msg := durationNodeProblem(value); msg != "" {
		return typeError(value, msg)
	}
	v, err := ParseDuration(value.Value)
	if err != nil {
		return typeError(value, err.Error())
	}
	*d = v
	return nil
}

// durationNodeProblem explains why n cannot hold a duration, or returns "".
func durationNodeProblem(n *yaml.Node) string {
	if n.Kind != yaml.ScalarNode {
		return "must be a duration string: " + durationHint
	}
	switch n.ShortTag() {
	case "!!str":
		return ""
	case "!!int", "!!float":
		return fmt.Sprintf("%s is a bare number: %s", n.Value, durationHint)
	default:
		return "must be a duration string: " + durationHint
	}
}

// JSONSchema describes Duration in the generated JSON Schema.
func (Duration) JSONSchema() *jsonschema.Schema {
	return &jsonschema.Schema{
		Type:        "string",
		Pattern:     durationPattern,
		Description: `A Go duration with units, such as "700ms", "1.5s" or "2m"; a bare number is an error.`,
		Examples:    []any{"700ms", "2s"},
	}
}
