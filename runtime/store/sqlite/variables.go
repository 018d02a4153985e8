package sqlite

import (
	"database/sql"

	"github.com/parleyhq/parley/runtime/store"
)

// variablesArg stores a call's variables as a JSON object, or NULL for none.
func variablesArg(v map[string]any) (any, error) {
	b, err := store.MarshalVariables(v)
	if b == nil || err != nil {
		return nil, err
	}
	return string(b), nil
}

// parseVariables reads stored variables back (store.UnmarshalVariables).
func parseVariables(s sql.NullString) (map[string]any, error) {
	if !s.Valid {
		return nil, nil
	}
	return store.UnmarshalVariables([]byte(s.String))
}
