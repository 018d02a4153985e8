package sqlite

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/parleyhq/parley/runtime/call"
)

// LiveCallsBefore returns up to limit calls with one of statuses that were
// created before before, oldest first. The lifetime sweeps use it to find
// calls that rang unanswered or outlived their longest duration; the
// status index serves it.
func (s *Store) LiveCallsBefore(ctx context.Context, statuses []call.Status, before time.Time, limit int) ([]*call.Call, error) {
	if len(statuses) == 0 || limit <= 0 {
		return nil, nil
	}
	args := make([]any, 0, len(statuses)+2)
	for _, st := range statuses {
		if !st.Live() {
			return nil, fmt.Errorf("sqlite: live calls before: %s is not a live status", st)
		}
		args = append(args, st.String())
	}
	args = append(args, formatTime(before), limit)
	rows, err := s.r.QueryContext(ctx, `SELECT `+callColumns+` FROM calls
		WHERE status IN (?`+strings.Repeat(", ?", len(statuses)-1)+`) AND created_at < ?
		ORDER BY created_at, id LIMIT ?`, args...)
	if err != nil {
		return nil, fmt.Errorf("sqlite: live calls before: %w", err)
	}
	defer rows.Close()
	var calls []*call.Call
	for rows.Next() {
		c, err := scanCall(rows)
		if err != nil {
			return nil, fmt.Errorf("sqlite: live calls before: %w", err)
		}
		calls = append(calls, c)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("sqlite: live calls before: %w", err)
	}
	return calls, nil
}

// DeleteCallsBefore deletes up to limit finished (ENDED or FAILED) calls
// created before before, oldest first, with their turns (the foreign key
// cascades), in one short transaction, and returns how many it deleted.
// Retention calls it in a loop of small batches, so that live calls are
// never kept waiting for the write lock for long.
func (s *Store) DeleteCallsBefore(ctx context.Context, before time.Time, limit int) (int, error) {
	if limit <= 0 {
		return 0, nil
	}
	res, err := s.w.ExecContext(ctx, `DELETE FROM calls WHERE id IN (
		SELECT id FROM calls WHERE created_at < ? AND status IN (?, ?) ORDER BY created_at LIMIT ?)`,
		formatTime(before), call.StatusEnded.String(), call.StatusFailed.String(), limit)
	if err != nil {
		return 0, fmt.Errorf("sqlite: delete calls before %s: %w", formatTime(before), err)
	}
	n, err := res.RowsAffected()
	if err != nil {
		return 0, fmt.Errorf("sqlite: delete calls before %s: %w", formatTime(before), err)
	}
	return int(n), nil
}
