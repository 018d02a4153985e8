// Package schema loads a store's versioned migrations: files named
// NNNN_name.sql, numbered from 1 without gaps. A released migration is never
// edited; a change is a new file. Each store (store/sqlite,
// store/postgres) embeds its own files and applies them in its own way.
package schema

import (
	"errors"
	"fmt"
	"io/fs"
	"slices"
	"strconv"
	"strings"
)

// ErrTooNew is returned when a database records a schema version the
// binary does not know: a newer binary migrated it, and this one must not
// write to it.
var ErrTooNew = errors.New("database schema is newer than this binary")

// Migration is one numbered schema change.
type Migration struct {
	Version int
	Name    string // the file's name
	SQL     string
}

// Load reads the NNNN_name.sql files at the root of fsys, sorted by
// version, and checks that the versions run 1, 2, 3, ... without gaps or
// repeats.
func Load(fsys fs.FS) ([]Migration, error) {
	names, err := fs.Glob(fsys, "*.sql")
	if err != nil {
		return nil, err
	}
	ms := make([]Migration, 0, len(names))
	for _, name := range names {
		prefix, _, ok := strings.Cut(name, "_")
		v, err := strconv.Atoi(prefix)
		if !ok || err != nil || v < 1 {
			return nil, fmt.Errorf("migration file %s is not named NNNN_name.sql", name)
		}
		b, err := fs.ReadFile(fsys, name)
		if err != nil {
			return nil, err
		}
		ms = append(ms, Migration{Version: v, Name: name, SQL: string(b)})
	}
	slices.SortFunc(ms, func(a, b Migration) int { return a.Version - b.Version })
	for i, m := range ms {
		if m.Version != i+1 {
			return nil, fmt.Errorf("migration %s: want version %d (versions run from 1 without gaps or repeats)", m.Name, i+1)
		}
	}
	if len(ms) == 0 {
		return nil, errors.New("no migrations")
	}
	return ms, nil
}

// Check returns ErrTooNew (wrapped) when the database's version current is
// past the last of ms.
func Check(current int, ms []Migration) error {
	latest := 0
	if len(ms) > 0 {
		latest = ms[len(ms)-1].Version
	}
	if current > latest {
		return fmt.Errorf("database is at schema version %d, this binary knows up to %d: %w", current, latest, ErrTooNew)
	}
	return nil
}
