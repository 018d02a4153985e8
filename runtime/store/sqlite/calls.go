package sqlite

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/parleyhq/parley/runtime/call"
	"github.com/parleyhq/parley/runtime/store"
)

// CreateCall inserts c. It returns an error wrapping store.ErrDuplicate if a
// call with the same id, session id or token id exists.
func (s *Store) CreateCall(ctx context.Context, c *call.Call) error {
	if err := store.CheckCall(c); err != nil {
		return fmt.Errorf("sqlite: create call: %w", err)
	}
	variables, err := variablesArg(c.Variables)
	if err != nil {
		return fmt.Errorf("sqlite: create call %s: %w", c.ID, err)
	}
	_, err = s.w.ExecContext(ctx, `INSERT INTO calls (`+callColumns+`) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
		c.ID, c.SessionID, phoneArg(c.CallerNumber), phoneArg(c.ReceiverNumber), c.Agent, c.Status.String(),
		formatTime(c.CreatedAt), formatTime(c.ConnectedAt), formatTime(c.EndedAt), c.EndReason, textArg(c.TokenID), variables, c.Owner)
	switch {
	case isUniqueViolation(err):
		return fmt.Errorf("sqlite: create call %s: id, session id or token id taken: %w", c.ID, store.ErrDuplicate)
	case err != nil:
		return fmt.Errorf("sqlite: create call %s: %w", c.ID, err)
	}
	return nil
}

// UpdateCall saves every field of c but its id, provided the stored status is
// still prev. It returns an error wrapping store.ErrConflict if the status
// has changed, store.ErrNotFound if there is no call with c's id, and
// store.ErrDuplicate if c's session id belongs to another call.
func (s *Store) UpdateCall(ctx context.Context, c *call.Call, prev call.Status) error {
	if err := store.CheckCall(c); err != nil {
		return fmt.Errorf("sqlite: update call: %w", err)
	}
	err := inTx(ctx, s.w, func(tx *sql.Tx) error {
		res, err := tx.ExecContext(ctx, `UPDATE calls SET session_id = ?, caller_number = ?, receiver_number = ?,
			agent = ?, status = ?, created_at = ?, connected_at = ?, ended_at = ?, end_reason = ?, owner = ?
			WHERE id = ? AND status = ?`,
			c.SessionID, phoneArg(c.CallerNumber), phoneArg(c.ReceiverNumber), c.Agent, c.Status.String(),
			formatTime(c.CreatedAt), formatTime(c.ConnectedAt), formatTime(c.EndedAt), c.EndReason, c.Owner,
			c.ID, prev.String())
		if err != nil {
			return err
		}
		if n, err := res.RowsAffected(); err != nil || n > 0 {
			return err
		}
		// The transaction holds the write lock, so the call cannot appear
		// or vanish between the UPDATE and this look.
		var status string
		err = tx.QueryRowContext(ctx, `SELECT status FROM calls WHERE id = ?`, c.ID).Scan(&status)
		if errors.Is(err, sql.ErrNoRows) {
			return store.ErrNotFound
		}
		if err != nil {
			return err
		}
		return fmt.Errorf("status is %s, not %s: %w", status, prev, store.ErrConflict)
	})
	if isUniqueViolation(err) {
		return fmt.Errorf("sqlite: update call %s: session id taken: %w", c.ID, store.ErrDuplicate)
	}
	if err != nil {
		return fmt.Errorf("sqlite: update call %s: %w", c.ID, err)
	}
	return nil
}

// Call returns the call with this id, or an error wrapping store.ErrNotFound.
func (s *Store) Call(ctx context.Context, id string) (*call.Call, error) {
	c, err := scanCall(s.r.QueryRowContext(ctx, `SELECT `+callColumns+` FROM calls WHERE id = ?`, id))
	if errors.Is(err, sql.ErrNoRows) {
		err = store.ErrNotFound
	}
	if err != nil {
		return nil, fmt.Errorf("sqlite: call %s: %w", id, err)
	}
	return c, nil
}

// CallBySession returns the call with this session id, or an error wrapping
// store.ErrNotFound.
func (s *Store) CallBySession(ctx context.Context, sessionID string) (*call.Call, error) {
	c, err := scanCall(s.r.QueryRowContext(ctx, `SELECT `+callColumns+` FROM calls WHERE session_id = ?`, sessionID))
	if errors.Is(err, sql.ErrNoRows) {
		err = store.ErrNotFound
	}
	if err != nil {
		// The session id is a bearer secret: keep it out of error messages.
		return nil, fmt.Errorf("sqlite: call by session: %w", err)
	}
	return c, nil
}

// liveStatuses are the statuses of calls not in a final state, as stored.
var liveStatuses = []any{call.StatusInitiating.String(), call.StatusRinging.String(),
	call.StatusConnecting.String(), call.StatusInProgress.String()}

// FailLiveCalls marks every INITIATING, RINGING, CONNECTING or IN_PROGRESS
// call of one of owners as FAILED at at, with reason, in one statement, and
// returns how many it changed.
//
// The state machine of call.Status does not allow IN_PROGRESS -> FAILED: a
// call that connected should END. This bypasses it on purpose. A call still
// live when its instance starts again was cut off by a crash, not hung up,
// and FAILED is the honest record of that; its connected_at is kept.
func (s *Store) FailLiveCalls(ctx context.Context, owners []string, at time.Time, reason string) (int, error) {
	if len(owners) == 0 {
		return 0, nil
	}
	ids, err := failCalls(ctx, s.w, owners, at, reason)
	if err != nil {
		return 0, fmt.Errorf("sqlite: fail live calls: %w", err)
	}
	return len(ids), nil
}

// execer is a *sql.DB or *sql.Tx.
type execer interface {
	ExecContext(ctx context.Context, query string, args ...any) (sql.Result, error)
	QueryContext(ctx context.Context, query string, args ...any) (*sql.Rows, error)
}

// failCalls fails the live calls of owners and returns their ids.
func failCalls(ctx context.Context, db execer, owners []string, at time.Time, reason string) ([]string, error) {
	args := []any{call.StatusFailed.String(), formatTime(at), reason}
	args = append(args, liveStatuses...)
	for _, o := range owners {
		args = append(args, o)
	}
	rows, err := db.QueryContext(ctx, `UPDATE calls SET status = ?, ended_at = ?, end_reason = ?
		WHERE status IN (?, ?, ?, ?) AND owner IN (?`+strings.Repeat(", ?", len(owners)-1)+`) RETURNING id`, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var ids []string
	for rows.Next() {
		var id string
		if err := rows.Scan(&id); err != nil {
			return nil, err
		}
		ids = append(ids, id)
	}
	return ids, rows.Err()
}
