// Package sqlite implements store.Store on an embedded SQLite database
// (modernc.org/sqlite, pure Go, no cgo).
//
// One file holds everything. The database runs in WAL mode with
// synchronous=FULL, so a write that returned nil survives a crash of the
// process (and of the machine, as far as the disk honours fsync). Writes go
// through a single connection, so writers of one Store queue in Go instead of
// spinning on SQLITE_BUSY; reads use a separate pool of read-only
// connections and never wait for writers. Several processes may open the same
// file: write transactions begin IMMEDIATE and wait up to the busy timeout
// for each other.
//
// Storage conventions (see migrations/0001_init.sql): a value whose Go zero
// means "absent" (time.Time, call.PhoneNumber, time.Duration, *Sentiment) is
// stored as NULL; strings are stored as they are, empty included. Times are
// UTC text in a fixed-width RFC 3339 layout with nanoseconds, so they sort as
// text and round-trip to the nanosecond; durations are integer nanoseconds.
package sqlite

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"sync"

	_ "modernc.org/sqlite" // registers the "sqlite" database/sql driver

	"github.com/parleyhq/parley/runtime/store"
)

var _ store.Store = (*Store)(nil)

// Store is a store.Store on one SQLite file. It is safe for concurrent use.
type Store struct {
	w *sql.DB // one connection: every write transaction
	r *sql.DB // read-only connections: every plain read

	closeOnce sync.Once
	closeErr  error
}

// Open opens the database at path, creating the file and its parent
// directory (0o750) if missing, and applies the migrations it lacks. It fails
// if the database cannot run in WAL mode or was written by a newer binary
// (ErrSchemaTooNew). ctx bounds the opening and the migrations only.
func Open(ctx context.Context, path string, opts ...Option) (*Store, error) {
	o := defaultOptions()
	for _, opt := range opts {
		opt(&o)
	}
	if err := o.validate(); err != nil {
		return nil, fmt.Errorf("sqlite: open %s: %w", path, err)
	}
	schema, err := fs.Sub(embedded, "migrations")
	if err != nil {
		return nil, fmt.Errorf("sqlite: open %s: %w", path, err)
	}
	abs, err := checkPath(path)
	if err != nil {
		return nil, fmt.Errorf("sqlite: open %s: %w", path, err)
	}
	if err := os.MkdirAll(filepath.Dir(abs), 0o750); err != nil {
		return nil, fmt.Errorf("sqlite: open %s: create directory: %w", path, err)
	}

	w, err := openPool(ctx, writerDSN(abs, o), 1)
	if err != nil {
		return nil, fmt.Errorf("sqlite: open %s: %w", path, err)
	}
	if err := checkPragmas(ctx, w); err != nil {
		return nil, errors.Join(fmt.Errorf("sqlite: open %s: %w", path, err), w.Close())
	}
	if err := migrate(ctx, w, schema); err != nil {
		return nil, errors.Join(fmt.Errorf("sqlite: open %s: %w", path, err), w.Close())
	}
	r, err := openPool(ctx, readerDSN(abs, o), o.readConns)
	if err != nil {
		return nil, errors.Join(fmt.Errorf("sqlite: open %s: readers: %w", path, err), w.Close())
	}
	return &Store{w: w, r: r}, nil
}

// Ping checks that both the writer and the readers answer.
func (s *Store) Ping(ctx context.Context) error {
	if err := s.w.PingContext(ctx); err != nil {
		return fmt.Errorf("sqlite: ping writer: %w", err)
	}
	if err := s.r.PingContext(ctx); err != nil {
		return fmt.Errorf("sqlite: ping readers: %w", err)
	}
	return nil
}

// Close closes the database; every later call on s fails. Calling it again
// is safe and returns what the first call returned.
func (s *Store) Close() error {
	s.closeOnce.Do(func() {
		s.closeErr = errors.Join(s.r.Close(), s.w.Close())
		if s.closeErr != nil {
			s.closeErr = fmt.Errorf("sqlite: close: %w", s.closeErr)
		}
	})
	return s.closeErr
}
