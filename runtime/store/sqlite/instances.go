package sqlite

import (
	"context"
	"database/sql"
	"fmt"
	"time"

	"github.com/parleyhq/parley/runtime/store"
)

// RenewLease records that instance id is alive until until.
func (s *Store) RenewLease(ctx context.Context, id string, started, until time.Time) error {
	_, err := s.w.ExecContext(ctx, `INSERT INTO instances (id, started_at, lease_until) VALUES (?, ?, ?)
		ON CONFLICT (id) DO UPDATE SET lease_until = excluded.lease_until`, id, formatTime(started), formatTime(until))
	if err != nil {
		return fmt.Errorf("sqlite: renew lease of %s: %w", id, err)
	}
	return nil
}

// DropLease deletes instance id's lease.
func (s *Store) DropLease(ctx context.Context, id string) error {
	if _, err := s.w.ExecContext(ctx, `DELETE FROM instances WHERE id = ?`, id); err != nil {
		return fmt.Errorf("sqlite: drop lease of %s: %w", id, err)
	}
	return nil
}

// FailLostCalls takes over the instances whose lease ended before now,
// each in one transaction: the lease's deletion is the claim, so a call is
// failed once however many survivors sweep.
func (s *Store) FailLostCalls(ctx context.Context, now time.Time, reason string) ([]string, []string, error) {
	rows, err := s.r.QueryContext(ctx, `SELECT id FROM instances WHERE lease_until < ? ORDER BY id`, formatTime(now))
	if err != nil {
		return nil, nil, fmt.Errorf("sqlite: lost instances: %w", err)
	}
	var expired []string
	for rows.Next() {
		var id string
		if err := rows.Scan(&id); err != nil {
			rows.Close()
			return nil, nil, fmt.Errorf("sqlite: lost instances: %w", err)
		}
		expired = append(expired, id)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return nil, nil, fmt.Errorf("sqlite: lost instances: %w", err)
	}
	lost, failed, err := store.TakeOver(expired, func(id string) (ids []string, claimed bool, err error) {
		err = inTx(ctx, s.w, func(tx *sql.Tx) error {
			// Still expired (not renewed meanwhile) and not taken over by
			// another sweep.
			res, err := tx.ExecContext(ctx, `DELETE FROM instances WHERE id = ? AND lease_until < ?`, id, formatTime(now))
			if err != nil {
				return err
			}
			if k, err := res.RowsAffected(); err != nil || k == 0 {
				return err
			}
			claimed = true
			ids, err = failCalls(ctx, tx, []string{id}, now, reason)
			return err
		})
		return ids, claimed, err
	})
	if err != nil {
		return lost, failed, fmt.Errorf("sqlite: %w", err)
	}
	return lost, failed, nil
}
