package postgres

import (
	"context"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/parleyhq/parley/runtime/store"
)

// RenewLease records that instance id is alive until until.
func (s *Store) RenewLease(ctx context.Context, id string, started, until time.Time) error {
	_, err := s.pool.Exec(ctx, `INSERT INTO instances (id, started_at, lease_until) VALUES ($1, $2, $3)
		ON CONFLICT (id) DO UPDATE SET lease_until = excluded.lease_until`, text(id), started.UTC(), until.UTC())
	if err != nil {
		return fmt.Errorf("postgres: renew lease of %s: %w", id, err)
	}
	return nil
}

// DropLease deletes instance id's lease.
func (s *Store) DropLease(ctx context.Context, id string) error {
	if _, err := s.pool.Exec(ctx, `DELETE FROM instances WHERE id = $1`, text(id)); err != nil {
		return fmt.Errorf("postgres: drop lease of %s: %w", id, err)
	}
	return nil
}

// FailLostCalls takes over the instances whose lease ended before now,
// each in one transaction: the lease's deletion is the claim (a second
// sweep finds no row, or waits on the first's lock and then finds none),
// so a call is failed once however many survivors sweep.
func (s *Store) FailLostCalls(ctx context.Context, now time.Time, reason string) ([]string, []string, error) {
	rows, err := s.pool.Query(ctx, `SELECT id FROM instances WHERE lease_until < $1 ORDER BY id`, now.UTC())
	if err != nil {
		return nil, nil, fmt.Errorf("postgres: lost instances: %w", err)
	}
	expired, err := collect(rows, func(row pgx.Row) (string, error) {
		var id string
		return id, row.Scan(&id)
	})
	if err != nil {
		return nil, nil, fmt.Errorf("postgres: lost instances: %w", err)
	}
	lost, failed, err := store.TakeOver(expired, func(id string) (ids []string, claimed bool, err error) {
		err = pgx.BeginFunc(ctx, s.pool, func(tx pgx.Tx) error {
			tag, err := tx.Exec(ctx, `DELETE FROM instances WHERE id = $1 AND lease_until < $2`, id, now.UTC())
			if err != nil || tag.RowsAffected() == 0 {
				return err
			}
			claimed = true
			ids, err = failCalls(ctx, tx, []string{id}, now, reason)
			return err
		})
		return ids, claimed, err
	})
	if err != nil {
		return lost, failed, fmt.Errorf("postgres: %w", err)
	}
	return lost, failed, nil
}
