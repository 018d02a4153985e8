package store

import (
	"bytes"
	"encoding/json"
	"fmt"
	"strconv"
)

// MarshalVariables encodes a call's variables as a JSON object, or nil for
// none (stored as NULL).
func MarshalVariables(v map[string]any) ([]byte, error) {
	if len(v) == 0 {
		return nil, nil
	}
	b, err := json.Marshal(v)
	if err != nil {
		return nil, fmt.Errorf("variables: %w", err)
	}
	return b, nil
}

// UnmarshalVariables reads stored variables back (nil for NULL): whole
// numbers as int64, other numbers as float64, as vars.Type.Check made them.
func UnmarshalVariables(b []byte) (map[string]any, error) {
	if b == nil {
		return nil, nil
	}
	dec := json.NewDecoder(bytes.NewReader(b))
	dec.UseNumber()
	var raw map[string]any
	if err := dec.Decode(&raw); err != nil {
		return nil, fmt.Errorf("bad stored variables: %w", err)
	}
	for k, v := range raw {
		n, ok := v.(json.Number)
		if !ok {
			continue
		}
		if i, err := strconv.ParseInt(string(n), 10, 64); err == nil {
			raw[k] = i
		} else if f, err := n.Float64(); err == nil {
			raw[k] = f
		}
	}
	return raw, nil
}
