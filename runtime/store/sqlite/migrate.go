package sqlite

import (
	"context"
	"database/sql"
	"embed"
	"fmt"
	"io/fs"
	"time"

	"github.com/parleyhq/parley/runtime/store/schema"
)

// embedded holds the schema history: migrations/NNNN_name.sql, numbered from
// 1 without gaps. A released migration is never edited; a change is a new
// file.
//
//go:embed migrations/*.sql
var embedded embed.FS

// migrate applies, in order, every migration in fsys that the database has
// not recorded in schema_migrations, each in its own transaction with its
// record, so a failed migration leaves the schema as it was. It refuses a
// database that records a version fsys does not have (ErrSchemaTooNew).
// Several processes may migrate the same file at once: the write lock
// serialises them and each version is applied once.
func migrate(ctx context.Context, db *sql.DB, fsys fs.FS) error {
	ms, err := schema.Load(fsys)
	if err != nil {
		return fmt.Errorf("migrate: %w", err)
	}
	if _, err := db.ExecContext(ctx, `CREATE TABLE IF NOT EXISTS schema_migrations (
		version    INTEGER PRIMARY KEY,
		applied_at TEXT NOT NULL
	)`); err != nil {
		return fmt.Errorf("migrate: create schema_migrations: %w", err)
	}
	var current sql.NullInt64
	if err := db.QueryRowContext(ctx, `SELECT MAX(version) FROM schema_migrations`).Scan(&current); err != nil {
		return fmt.Errorf("migrate: read schema version: %w", err)
	}
	if err := schema.Check(int(current.Int64), ms); err != nil {
		return fmt.Errorf("migrate: %w", err)
	}
	for _, m := range ms {
		if err := apply(ctx, db, m); err != nil {
			return fmt.Errorf("migrate: %s: %w", m.Name, err)
		}
	}
	return nil
}

// apply runs m unless it is recorded already.
func apply(ctx context.Context, db *sql.DB, m schema.Migration) error {
	return inTx(ctx, db, func(tx *sql.Tx) error {
		var n int
		if err := tx.QueryRowContext(ctx, `SELECT COUNT(*) FROM schema_migrations WHERE version = ?`, m.Version).Scan(&n); err != nil {
			return err
		}
		if n > 0 {
			return nil
		}
		if _, err := tx.ExecContext(ctx, m.SQL); err != nil {
			return err
		}
		_, err := tx.ExecContext(ctx, `INSERT INTO schema_migrations (version, applied_at) VALUES (?, ?)`,
			m.Version, formatTime(time.Now()))
		return err
	})
}
