package sqlite

import (
	"context"
	"database/sql"
	"errors"
)

// inTx runs fn in a write transaction (BEGIN IMMEDIATE, from the DSN) and
// commits if fn returns nil; otherwise, or if ctx ends first, nothing fn
// wrote is kept.
func inTx(ctx context.Context, db *sql.DB, fn func(*sql.Tx) error) error {
	tx, err := db.BeginTx(ctx, nil)
	if err != nil {
		return err
	}
	if err := fn(tx); err != nil {
		if rerr := tx.Rollback(); rerr != nil && !errors.Is(rerr, sql.ErrTxDone) {
			return errors.Join(err, rerr)
		}
		return err
	}
	return tx.Commit()
}
