package sqlite

import (
	"database/sql"
	"encoding/json"
	"fmt"
	"strconv"
	"strings"
)

// variablesArg stores a call's variables as a JSON object, or NULL for none.
func variablesArg(v map[string]any) (any, error) {
	if len(v) == 0 {
		return nil, nil
	}
	b, err := json.Marshal(v)
	if err != nil {
		return nil, fmt.Errorf("variables: %w", err)
	}
	return string(b), nil
}

// parseVariables reads stored variables back: whole numbers as int64,
// other numbers as float64 (as vars.Type.Check made them).
func parseVariables(s sql.NullString) (map[string]any, error) {
	if !s.Valid {
		return nil, nil
	}
	dec := json.NewDecoder(strings.NewReader(s.String))
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
