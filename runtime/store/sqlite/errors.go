package sqlite

import (
	"errors"

	"modernc.org/sqlite"
	sqlite3 "modernc.org/sqlite/lib"

	"github.com/parleyhq/parley/runtime/store/schema"
)

// ErrSchemaTooNew is returned by Open for a database that a newer binary has
// migrated: this binary does not know its schema and must not write to it.
var ErrSchemaTooNew = schema.ErrTooNew

// isUniqueViolation reports whether err is a PRIMARY KEY or UNIQUE constraint
// failure.
func isUniqueViolation(err error) bool {
	var e *sqlite.Error
	if !errors.As(err, &e) {
		return false
	}
	return e.Code() == sqlite3.SQLITE_CONSTRAINT_PRIMARYKEY || e.Code() == sqlite3.SQLITE_CONSTRAINT_UNIQUE
}
