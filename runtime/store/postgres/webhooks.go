package postgres

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"

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
	err := pgx.BeginFunc(ctx, s.pool, func(tx pgx.Tx) error {
		for _, d := range ds {
			if !storable(d.CallID) {
				return fmt.Errorf("call %s: %w", d.CallID, store.ErrNotFound)
			}
			_, err := tx.Exec(ctx, `INSERT INTO webhook_deliveries (`+deliveryColumns+`)
				VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15)`, deliveryArgs(d)...)
			switch {
			case isCode(err, foreignKeyViolation):
				return fmt.Errorf("call %s: %w", d.CallID, store.ErrNotFound)
			case isCode(err, uniqueViolation):
				return fmt.Errorf("delivery %s: %w", d.ID, store.ErrDuplicate)
			case err != nil:
				return fmt.Errorf("delivery %s: %w", d.ID, err)
			}
		}
		return nil
	})
	if err != nil {
		return fmt.Errorf("postgres: enqueue deliveries: %w", err)
	}
	return nil
}

func deliveryArgs(d *store.Delivery) []any {
	return []any{text(d.ID), text(d.EventID), text(d.Event), d.CallID, text(d.Agent), text(d.URL), text(d.SecretEnv),
		int64(d.Timeout), payloadArg(d.Payload), string(d.Status), d.Attempts, text(d.LastError),
		timeArg(d.CreatedAt), timeArg(d.NextAttemptAt), timeArg(d.FinishedAt)}
}

// payloadArg stores a JSON body as text, or NULL until it is built.
func payloadArg(p []byte) any {
	if p == nil {
		return nil
	}
	return text(string(p))
}

// ClaimDeliveries returns up to limit pending deliveries due at now,
// earliest first, and moves their next attempt to now+lease in the same
// statement. Rows another instance is claiming at the same moment are
// skipped (FOR UPDATE SKIP LOCKED), so no two claims return one delivery.
func (s *Store) ClaimDeliveries(ctx context.Context, now time.Time, lease time.Duration, limit int) ([]*store.Delivery, error) {
	if limit <= 0 {
		return nil, nil
	}
	rows, err := s.pool.Query(ctx, `UPDATE webhook_deliveries d SET next_attempt_at = $1
		FROM (SELECT id, next_attempt_at AS due FROM webhook_deliveries
			WHERE status = 'pending' AND next_attempt_at <= $2
			ORDER BY next_attempt_at, id LIMIT $3 FOR UPDATE SKIP LOCKED) c
		WHERE d.id = c.id
		RETURNING c.due, `+prefixed("d.", deliveryColumns), now.Add(lease).UTC(), now.UTC(), limit)
	if err != nil {
		return nil, fmt.Errorf("postgres: claim deliveries: %w", err)
	}
	type claimed struct {
		due time.Time
		d   *store.Delivery
	}
	out, err := collect(rows, func(row pgx.Row) (claimed, error) {
		var c claimed
		d, err := scanDelivery(row, &c.due)
		c.d = d
		return c, err
	})
	if err != nil {
		return nil, fmt.Errorf("postgres: claim deliveries: %w", err)
	}
	// RETURNING keeps no order: earliest due first, as claimed.
	slices.SortFunc(out, func(a, b claimed) int {
		if c := a.due.Compare(b.due); c != 0 {
			return c
		}
		return strings.Compare(a.d.ID, b.d.ID)
	})
	ds := make([]*store.Delivery, len(out))
	for i, c := range out {
		c.d.NextAttemptAt = c.due // as it was when claimed, as store/sqlite returns it
		ds[i] = c.d
	}
	return ds, nil
}

// prefixed qualifies each column of a column list with table.
func prefixed(table, columns string) string {
	cols := strings.Split(columns, ",")
	for i, c := range cols {
		cols[i] = table + strings.TrimSpace(c)
	}
	return strings.Join(cols, ", ")
}

// SaveDelivery stores what an attempt changed of d.
func (s *Store) SaveDelivery(ctx context.Context, d *store.Delivery) error {
	if !storable(d.ID) {
		return fmt.Errorf("postgres: save delivery: %w", store.ErrNotFound)
	}
	tag, err := s.pool.Exec(ctx, `UPDATE webhook_deliveries SET payload = $1, status = $2, attempts = $3, last_error = $4,
		next_attempt_at = $5, finished_at = $6 WHERE id = $7`,
		payloadArg(d.Payload), string(d.Status), d.Attempts, text(d.LastError), timeArg(d.NextAttemptAt), timeArg(d.FinishedAt), d.ID)
	if err != nil {
		return fmt.Errorf("postgres: save delivery %s: %w", d.ID, err)
	}
	if tag.RowsAffected() == 0 {
		return fmt.Errorf("postgres: save delivery %s: %w", d.ID, store.ErrNotFound)
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
		args = append(args, text(string(f.Status)))
		where = append(where, fmt.Sprintf("status = $%d", len(args)))
	}
	if f.Agent != "" {
		args = append(args, text(f.Agent))
		where = append(where, fmt.Sprintf("agent = $%d", len(args)))
	}
	cond := ""
	if len(where) > 0 {
		cond = " WHERE " + strings.Join(where, " AND ")
	}
	var (
		out   = []*store.Delivery{}
		total int
	)
	err := pgx.BeginTxFunc(ctx, s.pool, snapshot, func(tx pgx.Tx) error {
		if err := tx.QueryRow(ctx, `SELECT COUNT(*) FROM webhook_deliveries`+cond, args...).Scan(&total); err != nil {
			return fmt.Errorf("count: %w", err)
		}
		n := len(args)
		rows, err := tx.Query(ctx, `SELECT `+deliveryColumns+` FROM webhook_deliveries`+cond+
			fmt.Sprintf(` ORDER BY created_at DESC, id DESC LIMIT $%d OFFSET $%d`, n+1, n+2),
			append(args, store.PageSize(f.Limit), max(f.Offset, 0))...)
		if err != nil {
			return err
		}
		out, err = collect(rows, func(row pgx.Row) (*store.Delivery, error) { return scanDelivery(row) })
		return err
	})
	if err != nil {
		return nil, 0, fmt.Errorf("postgres: list deliveries: %w", err)
	}
	return out, total, nil
}

// RetryDelivery makes a failed delivery pending again, due at at.
func (s *Store) RetryDelivery(ctx context.Context, id string, at time.Time) (*store.Delivery, error) {
	if !storable(id) {
		return nil, fmt.Errorf("postgres: retry delivery: %w", store.ErrNotFound)
	}
	var d *store.Delivery
	err := pgx.BeginFunc(ctx, s.pool, func(tx pgx.Tx) error {
		var err error
		d, err = scanDelivery(tx.QueryRow(ctx, `SELECT `+deliveryColumns+` FROM webhook_deliveries WHERE id = $1 FOR UPDATE`, id))
		if errors.Is(err, pgx.ErrNoRows) {
			return store.ErrNotFound
		}
		if err != nil {
			return err
		}
		if d.Status != store.DeliveryFailed {
			return fmt.Errorf("delivery is %s, not failed: %w", d.Status, store.ErrConflict)
		}
		d.Status, d.Attempts, d.NextAttemptAt, d.FinishedAt = store.DeliveryPending, 0, at.UTC(), time.Time{}
		_, err = tx.Exec(ctx, `UPDATE webhook_deliveries SET status = $1, attempts = 0, next_attempt_at = $2, finished_at = NULL
			WHERE id = $3`, string(d.Status), timeArg(at), id)
		return err
	})
	if err != nil {
		return nil, fmt.Errorf("postgres: retry delivery %s: %w", id, err)
	}
	return d, nil
}

// DeleteDeliveriesBefore deletes up to limit delivered or failed
// deliveries created before before and returns how many.
func (s *Store) DeleteDeliveriesBefore(ctx context.Context, before time.Time, limit int) (int, error) {
	if limit <= 0 {
		return 0, nil
	}
	tag, err := s.pool.Exec(ctx, `DELETE FROM webhook_deliveries WHERE id IN (
		SELECT id FROM webhook_deliveries WHERE created_at < $1 AND status IN ('delivered', 'failed') ORDER BY created_at LIMIT $2)`,
		before.UTC(), limit)
	if err != nil {
		return 0, fmt.Errorf("postgres: delete deliveries before %s: %w", before.UTC().Format(time.RFC3339), err)
	}
	return int(tag.RowsAffected()), nil
}

// scanDelivery reads one row of deliveryColumns, after the columns of
// first (a claim's due time).
func scanDelivery(row pgx.Row, first ...any) (*store.Delivery, error) {
	var (
		d                       store.Delivery
		timeout                 int64
		payload                 *string
		status                  string
		created, next, finished *time.Time
	)
	dst := append(first, &d.ID, &d.EventID, &d.Event, &d.CallID, &d.Agent, &d.URL, &d.SecretEnv, &timeout, &payload,
		&status, &d.Attempts, &d.LastError, &created, &next, &finished)
	if err := row.Scan(dst...); err != nil {
		return nil, err
	}
	d.Timeout = time.Duration(timeout)
	if payload != nil {
		d.Payload = []byte(*payload)
	}
	d.Status = store.DeliveryStatus(status)
	d.CreatedAt, d.NextAttemptAt, d.FinishedAt = timeOf(created), timeOf(next), timeOf(finished)
	return &d, nil
}
