package postgres

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"

	"github.com/parleyhq/parley/runtime/call"
	"github.com/parleyhq/parley/runtime/store"
)

// storable reports whether key can be in a text column: a key that cannot
// (a NUL byte, invalid UTF-8) names nothing stored, and PostgreSQL would
// refuse the query itself.
func storable(key string) bool {
	return utf8.ValidString(key) && strings.IndexByte(key, 0) < 0
}

// CreateCall inserts c. It returns an error wrapping store.ErrDuplicate if a
// call with the same id, session id or token id exists.
func (s *Store) CreateCall(ctx context.Context, c *call.Call) error {
	if err := store.CheckCall(c); err != nil {
		return fmt.Errorf("postgres: create call: %w", err)
	}
	args, err := callArgs(c)
	if err != nil {
		return fmt.Errorf("postgres: create call %s: %w", c.ID, err)
	}
	_, err = s.pool.Exec(ctx, `INSERT INTO calls (`+callColumns+`) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13)`, args...)
	switch {
	case isCode(err, uniqueViolation):
		return fmt.Errorf("postgres: create call %s: id, session id or token id taken: %w", c.ID, store.ErrDuplicate)
	case err != nil:
		return fmt.Errorf("postgres: create call %s: %w", c.ID, err)
	}
	return nil
}

// UpdateCall saves every field of c but its id, token and variables (its
// owner too),
// provided the stored status is still prev. It returns an error wrapping
// store.ErrConflict if the status has changed, store.ErrNotFound if there
// is no call with c's id, and store.ErrDuplicate if c's session id belongs
// to another call.
func (s *Store) UpdateCall(ctx context.Context, c *call.Call, prev call.Status) error {
	if err := store.CheckCall(c); err != nil {
		return fmt.Errorf("postgres: update call: %w", err)
	}
	if !storable(c.ID) {
		return fmt.Errorf("postgres: update call: %w", store.ErrNotFound)
	}
	tag, err := s.pool.Exec(ctx, `UPDATE calls SET session_id = $1, caller_number = $2, receiver_number = $3,
		agent = $4, status = $5, created_at = $6, connected_at = $7, ended_at = $8, end_reason = $9, owner = $10
		WHERE id = $11 AND status = $12`,
		text(c.SessionID), phoneArg(c.CallerNumber), phoneArg(c.ReceiverNumber), text(c.Agent), c.Status.String(),
		timeArg(c.CreatedAt), timeArg(c.ConnectedAt), timeArg(c.EndedAt), text(c.EndReason), text(c.Owner),
		c.ID, prev.String())
	switch {
	case isCode(err, uniqueViolation):
		return fmt.Errorf("postgres: update call %s: session id taken: %w", c.ID, store.ErrDuplicate)
	case err != nil:
		return fmt.Errorf("postgres: update call %s: %w", c.ID, err)
	case tag.RowsAffected() > 0:
		return nil
	}
	// Nothing matched: no such call, or its status moved on. (A call's row
	// is never re-created with an id once deleted, so the answer holds.)
	var status string
	err = s.pool.QueryRow(ctx, `SELECT status FROM calls WHERE id = $1`, c.ID).Scan(&status)
	switch {
	case errors.Is(err, pgx.ErrNoRows):
		return fmt.Errorf("postgres: update call %s: %w", c.ID, store.ErrNotFound)
	case err != nil:
		return fmt.Errorf("postgres: update call %s: %w", c.ID, err)
	}
	return fmt.Errorf("postgres: update call %s: status is %s, not %s: %w", c.ID, status, prev, store.ErrConflict)
}

// Call returns the call with this id, or an error wrapping store.ErrNotFound.
func (s *Store) Call(ctx context.Context, id string) (*call.Call, error) {
	if !storable(id) {
		return nil, fmt.Errorf("postgres: call: %w", store.ErrNotFound)
	}
	c, err := scanCall(s.pool.QueryRow(ctx, `SELECT `+callColumns+` FROM calls WHERE id = $1`, id))
	if errors.Is(err, pgx.ErrNoRows) {
		err = store.ErrNotFound
	}
	if err != nil {
		return nil, fmt.Errorf("postgres: call %s: %w", id, err)
	}
	return c, nil
}

// CallBySession returns the call with this session id, or an error wrapping
// store.ErrNotFound.
func (s *Store) CallBySession(ctx context.Context, sessionID string) (*call.Call, error) {
	if !storable(sessionID) {
		return nil, fmt.Errorf("postgres: call by session: %w", store.ErrNotFound)
	}
	c, err := scanCall(s.pool.QueryRow(ctx, `SELECT `+callColumns+` FROM calls WHERE session_id = $1`, sessionID))
	if errors.Is(err, pgx.ErrNoRows) {
		err = store.ErrNotFound
	}
	if err != nil {
		// The session id is a bearer secret: keep it out of error messages.
		return nil, fmt.Errorf("postgres: call by session: %w", err)
	}
	return c, nil
}

// liveStatuses are the statuses of calls not in a final state.
var liveStatuses = []string{call.StatusInitiating.String(), call.StatusRinging.String(),
	call.StatusConnecting.String(), call.StatusInProgress.String()}

// FailLiveCalls marks every INITIATING, RINGING, CONNECTING or IN_PROGRESS
// call of one of owners as FAILED at at, with reason, in one statement, and
// returns how many it changed (store/sqlite's FailLiveCalls says why
// IN_PROGRESS -> FAILED is right here).
func (s *Store) FailLiveCalls(ctx context.Context, owners []string, at time.Time, reason string) (int, error) {
	ids, err := failCalls(ctx, s.pool, owners, at, reason)
	if err != nil {
		return 0, fmt.Errorf("postgres: fail live calls: %w", err)
	}
	return len(ids), nil
}

// execer is a pool or a transaction.
type execer interface {
	Exec(ctx context.Context, sql string, args ...any) (pgconn.CommandTag, error)
	Query(ctx context.Context, sql string, args ...any) (pgx.Rows, error)
}

// failCalls fails the live calls of owners and returns their ids.
func failCalls(ctx context.Context, db execer, owners []string, at time.Time, reason string) ([]string, error) {
	if len(owners) == 0 {
		return nil, nil
	}
	clean := make([]string, len(owners))
	for i, o := range owners {
		clean[i] = text(o)
	}
	rows, err := db.Query(ctx, `UPDATE calls SET status = $1, ended_at = $2, end_reason = $3 WHERE status = ANY($4) AND owner = ANY($5) RETURNING id`,
		call.StatusFailed.String(), timeArg(at), text(reason), liveStatuses, clean)
	if err != nil {
		return nil, err
	}
	return collect(rows, func(row pgx.Row) (string, error) {
		var id string
		return id, row.Scan(&id)
	})
}

// Calls returns one page of the calls matching f, newest first (ties by id,
// descending), and how many match in all, from one snapshot. Limits as
// store.PageSize; a negative Offset counts as 0.
func (s *Store) Calls(ctx context.Context, f store.CallFilter) ([]*call.Call, int, error) {
	var (
		where []string
		args  []any
	)
	if f.Status != call.StatusUnknown {
		args = append(args, f.Status.String())
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
		calls = []*call.Call{}
		total int
	)
	err := pgx.BeginTxFunc(ctx, s.pool, snapshot, func(tx pgx.Tx) error {
		if err := tx.QueryRow(ctx, `SELECT COUNT(*) FROM calls`+cond, args...).Scan(&total); err != nil {
			return fmt.Errorf("count: %w", err)
		}
		n := len(args)
		rows, err := tx.Query(ctx, `SELECT `+callColumns+` FROM calls`+cond+
			fmt.Sprintf(` ORDER BY created_at DESC, id DESC LIMIT $%d OFFSET $%d`, n+1, n+2),
			append(args, store.PageSize(f.Limit), max(f.Offset, 0))...)
		if err != nil {
			return err
		}
		calls, err = collect(rows, scanCall)
		return err
	})
	if err != nil {
		return nil, 0, fmt.Errorf("postgres: list calls: %w", err)
	}
	return calls, total, nil
}

// snapshot is a read-only transaction whose statements all see one
// snapshot (a page and its total agree).
var snapshot = pgx.TxOptions{IsoLevel: pgx.RepeatableRead, AccessMode: pgx.ReadOnly}

// collect scans every row with scan; an empty, non-nil slice for none.
func collect[T any](rows pgx.Rows, scan func(pgx.Row) (T, error)) ([]T, error) {
	defer rows.Close()
	out := []T{}
	for rows.Next() {
		v, err := scan(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, v)
	}
	return out, rows.Err()
}

// LiveCallsBefore returns up to limit calls with one of statuses that were
// created before before, oldest first.
func (s *Store) LiveCallsBefore(ctx context.Context, statuses []call.Status, before time.Time, limit int) ([]*call.Call, error) {
	if len(statuses) == 0 || limit <= 0 {
		return nil, nil
	}
	names := make([]string, 0, len(statuses))
	for _, st := range statuses {
		if !st.Live() {
			return nil, fmt.Errorf("postgres: live calls before: %s is not a live status", st)
		}
		names = append(names, st.String())
	}
	rows, err := s.pool.Query(ctx, `SELECT `+callColumns+` FROM calls
		WHERE status = ANY($1) AND created_at < $2 ORDER BY created_at, id LIMIT $3`, names, before.UTC(), limit)
	if err != nil {
		return nil, fmt.Errorf("postgres: live calls before: %w", err)
	}
	calls, err := collect(rows, scanCall)
	if err != nil {
		return nil, fmt.Errorf("postgres: live calls before: %w", err)
	}
	return calls, nil
}

// DeleteCallsBefore deletes up to limit finished (ENDED or FAILED) calls
// created before before, oldest first, with their turns, tool calls and
// webhook deliveries (the foreign keys cascade), and returns how many.
func (s *Store) DeleteCallsBefore(ctx context.Context, before time.Time, limit int) (int, error) {
	if limit <= 0 {
		return 0, nil
	}
	tag, err := s.pool.Exec(ctx, `DELETE FROM calls WHERE id IN (
		SELECT id FROM calls WHERE created_at < $1 AND status IN ($2, $3) ORDER BY created_at LIMIT $4)`,
		before.UTC(), call.StatusEnded.String(), call.StatusFailed.String(), limit)
	if err != nil {
		return 0, fmt.Errorf("postgres: delete calls before %s: %w", before.UTC().Format(time.RFC3339), err)
	}
	return int(tag.RowsAffected()), nil
}
