package sqlite

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/parleyhq/parley/runtime/store"
)

// deliveryColumns is the column list scanDelivery expects, in order.
const deliveryColumns = `id, event_id, event, call_id, agent, url, secret_env, timeout_ns, payload,
	status, attempts, last_error, created_at, next_attempt_at, finished_at`

// EnqueueDeliveries inserts ds as pending deliveries in one transaction.
func (s *Store) EnqueueDeliveries(ctx context.Context, ds ...*store.Delivery) error {
	if len(ds) == 0 {
		return nil
	}
	err := inTx(ctx, s.w, func(tx *sql.Tx) error {
		for _, d := range ds {
			var exists int
			if err := tx.QueryRowContext(ctx, `SELECT COUNT(*) FROM calls WHERE id = ?`, d.CallID).Scan(&exists); err != nil {
				return err
			}
			if exists == 0 {
				return fmt.Errorf("call %s: %w", d.CallID, store.ErrNotFound)
			}
			_, err := tx.ExecContext(ctx, `INSERT INTO webhook_deliveries (`+deliveryColumns+`)
				VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`, deliveryArgs(d)...)
			if isUniqueViolation(err) {
				return fmt.Errorf("delivery %s: %w", d.ID, store.ErrDuplicate)
			}
			if err != nil {
				return fmt.Errorf("delivery %s: %w", d.ID, err)
			}
		}
		return nil
	})
	if err != nil {
		return fmt.Errorf("sqlite: enqueue deliveries: %w", err)
	}
	return nil
}

func deliveryArgs(d *store.Delivery) []any {
	var payload any
	if d.Payload != nil {
		payload = string(d.Payload)
	}
	return []any{d.ID, d.EventID, d.Event, d.CallID, d.Agent, d.URL, d.SecretEnv, int64(d.Timeout), payload,
		string(d.Status), d.Attempts, d.LastError, formatTime(d.CreatedAt), formatTime(d.NextAttemptAt), formatTime(d.FinishedAt)}
}

// ClaimDeliveries returns the pending deliveries due at now and leases them.
func (s *Store) ClaimDeliveries(ctx context.Context, now time.Time, lease time.Duration, limit int) ([]*store.Delivery, error) {
	if limit <= 0 {
		return nil, nil
	}
	var out []*store.Delivery
	err := inTx(ctx, s.w, func(tx *sql.Tx) error {
		out = nil
		rows, err := tx.QueryContext(ctx, `SELECT `+deliveryColumns+` FROM webhook_deliveries
			WHERE status = 'pending' AND next_attempt_at <= ? ORDER BY next_attempt_at, id LIMIT ?`, formatTime(now), limit)
		if err != nil {
			return err
		}
		defer rows.Close()
		for rows.Next() {
			d, err := scanDelivery(rows)
			if err != nil {
				return err
			}
			out = append(out, d)
		}
		if err := rows.Err(); err != nil {
			return err
		}
		for _, d := range out {
			if _, err := tx.ExecContext(ctx, `UPDATE webhook_deliveries SET next_attempt_at = ? WHERE id = ?`,
				formatTime(now.Add(lease)), d.ID); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("sqlite: claim deliveries: %w", err)
	}
	return out, nil
}

// SaveDelivery stores what an attempt changed of d.
func (s *Store) SaveDelivery(ctx context.Context, d *store.Delivery) error {
	var payload any
	if d.Payload != nil {
		payload = string(d.Payload)
	}
	res, err := s.w.ExecContext(ctx, `UPDATE webhook_deliveries SET payload = ?, status = ?, attempts = ?, last_error = ?,
		next_attempt_at = ?, finished_at = ? WHERE id = ?`,
		payload, string(d.Status), d.Attempts, d.LastError, formatTime(d.NextAttemptAt), formatTime(d.FinishedAt), d.ID)
	if err != nil {
		return fmt.Errorf("sqlite: save delivery %s: %w", d.ID, err)
	}
	if n, err := res.RowsAffected(); err != nil {
		return fmt.Errorf("sqlite: save delivery %s: %w", d.ID, err)
	} else if n == 0 {
		return fmt.Errorf("sqlite: save delivery %s: %w", d.ID, store.ErrNotFound)
	}
	return nil
}

// Deliveries returns one page of deliveries, newest first (ties by id,
// descending), and how many match; limits as for Calls.
func (s *Store) Deliveries(ctx context.Context, f store.DeliveryFilter) ([]*store.Delivery, int, error) {
	var (
		where []string
		args  []any
	)
	if f.Status != "" {
		where = append(where, "status = ?")
		args = append(args, string(f.Status))
	}
	if f.Agent != "" {
		where = append(where, "agent = ?")
		args = append(args, f.Agent)
	}
	cond := ""
	if len(where) > 0 {
		cond = " WHERE " + strings.Join(where, " AND ")
	}
	tx, err := s.r.BeginTx(ctx, &sql.TxOptions{ReadOnly: true})
	if err != nil {
		return nil, 0, fmt.Errorf("sqlite: list deliveries: %w", err)
	}
	defer func() { _ = tx.Rollback() }() // read-only: only the snapshot to release

	var total int
	if err := tx.QueryRowContext(ctx, `SELECT COUNT(*) FROM webhook_deliveries`+cond, args...).Scan(&total); err != nil {
		return nil, 0, fmt.Errorf("sqlite: count deliveries: %w", err)
	}
	rows, err := tx.QueryContext(ctx, `SELECT `+deliveryColumns+` FROM webhook_deliveries`+cond+
		` ORDER BY created_at DESC, id DESC LIMIT ? OFFSET ?`, append(args, store.PageSize(f.Limit), max(f.Offset, 0))...)
	if err != nil {
		return nil, 0, fmt.Errorf("sqlite: list deliveries: %w", err)
	}
	defer rows.Close()
	out := []*store.Delivery{}
	for rows.Next() {
		d, err := scanDelivery(rows)
		if err != nil {
			return nil, 0, fmt.Errorf("sqlite: list deliveries: %w", err)
		}
		out = append(out, d)
	}
	if err := rows.Err(); err != nil {
		return nil, 0, fmt.Errorf("sqlite: list deliveries: %w", err)
	}
	return out, total, nil
}

// RetryDelivery makes a failed delivery pending again.
func (s *Store) RetryDelivery(ctx context.Context, id string, at time.Time) (*store.Delivery, error) {
	var d *store.Delivery
	err := inTx(ctx, s.w, func(tx *sql.Tx) error {
		var err error
		d, err = scanDelivery(tx.QueryRowContext(ctx, `SELECT `+deliveryColumns+` FROM webhook_deliveries WHERE id = ?`, id))
		if errors.Is(err, sql.ErrNoRows) {
			return store.ErrNotFound
		}
		if err != nil {
			return err
		}
		if d.Status != store.DeliveryFailed {
			return fmt.Errorf("delivery is %s, not failed: %w", d.Status, store.ErrConflict)
		}
		d.Status, d.Attempts, d.NextAttemptAt, d.FinishedAt = store.DeliveryPending, 0, at, time.Time{}
		_, err = tx.ExecContext(ctx, `UPDATE webhook_deliveries SET status = ?, attempts = 0, next_attempt_at = ?, finished_at = NULL
			WHERE id = ?`, string(d.Status), formatTime(at), id)
		return err
	})
	if err != nil {
		return nil, fmt.Errorf("sqlite: retry delivery %s: %w", id, err)
	}
	return d, nil
}

// DeleteDeliveriesBefore deletes finished deliveries created before before.
func (s *Store) DeleteDeliveriesBefore(ctx context.Context, before time.Time, limit int) (int, error) {
	if limit <= 0 {
		return 0, nil
	}
	res, err := s.w.ExecContext(ctx, `DELETE FROM webhook_deliveries WHERE id IN (
		SELECT id FROM webhook_deliveries WHERE created_at < ? AND status IN ('delivered', 'failed') ORDER BY created_at LIMIT ?)`,
		formatTime(before), limit)
	if err != nil {
		return 0, fmt.Errorf("sqlite: delete deliveries before %s: %w", formatTime(before), err)
	}
	n, err := res.RowsAffected()
	if err != nil {
		return 0, fmt.Errorf("sqlite: delete deliveries before %s: %w", formatTime(before), err)
	}
	return int(n), nil
}

// scanDelivery reads one row of deliveryColumns.
func scanDelivery(row interface{ Scan(...any) error }) (*store.Delivery, error) {
	var (
		d                       store.Delivery
		timeout                 int64
		payload                 sql.NullString
		status                  string
		created, next, finished sql.NullString
	)
	if err := row.Scan(&d.ID, &d.EventID, &d.Event, &d.CallID, &d.Agent, &d.URL, &d.SecretEnv, &timeout, &payload,
		&status, &d.Attempts, &d.LastError, &created, &next, &finished); err != nil {
		return nil, err
	}
	d.Timeout = time.Duration(timeout)
	if payload.Valid {
		d.Payload = []byte(payload.String)
	}
	d.Status = store.DeliveryStatus(status)
	var err error
	if d.CreatedAt, err = parseTime(created); err != nil {
		return nil, err
	}
	if d.NextAttemptAt, err = parseTime(next); err != nil {
		return nil, err
	}
	if d.FinishedAt, err = parseTime(finished); err != nil {
		return nil, err
	}
	return &d, nil
}
