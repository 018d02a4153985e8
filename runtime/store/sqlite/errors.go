package sqlite

import (
	"errors"

	"modernc.org/sqlite"
	sqlite3 "modernc.org/sqlite/lib"
)

// ErrSchemaTooNew is returned by Open for a database that a newer binary has
// migrated: this binary does not know its schema and must not write to it.
var ErrSchemaTooNew = errors.New("database schema is newer than this binary")

// isUniqueViolation reports whether err is a PRIMARY KEY or UNIQUE constraint
// failure.
func isUniqueViolation(err error) bool {
	var e *sqlite.Error
	if !errors.As(err, &e) {
		return false
	}
	return e.Code() == sqlite3.SQLITE_CONSTRAINT_PRIMARYKEY || e.Code() == sqlite3.SQLITE_CONSTRAINT_UNIQUE
}
