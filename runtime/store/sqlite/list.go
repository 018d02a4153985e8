package sqlite

import (
	"context"
	"database/sql"
	"fmt"
	"strings"

	"github.com/parleyhq/parley/runtime/call"
	"github.com/parleyhq/parley/runtime/store"
)

// Calls returns one page of the calls matching f, newest first (ties by id,
// descending), and how many match in all. Limits as store.PageSize,
// and a negative Offset counts as 0. The page and the total come from one snapshot.
func (s *Store) Calls(ctx context.Context, f store.CallFilter) ([]*call.Call, int, error) {
	var (
		where []string
		args  []any
	)
	if f.Status != call.StatusUnknown {
		where = append(where, "status = ?")
		args = append(args, f.Status.String())
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
		return nil, 0, fmt.Errorf("sqlite: list calls: %w", err)
	}
	defer func() { _ = tx.Rollback() }() // read-only: nothing to undo, only the snapshot to release

	var total int
	if err := tx.QueryRowContext(ctx, `SELECT COUNT(*) FROM calls`+cond, args...).Scan(&total); err != nil {
		return nil, 0, fmt.Errorf("sqlite: count calls: %w", err)
	}
	rows, err := tx.QueryContext(ctx, `SELECT `+callColumns+` FROM calls`+cond+
		` ORDER BY created_at DESC, id DESC LIMIT ? OFFSET ?`,
		append(args, store.PageSize(f.Limit), max(f.Offset, 0))...)
	if err != nil {
		return nil, 0, fmt.Errorf("sqlite: list calls: %w", err)
	}
	defer rows.Close()
	calls := []*call.Call{}
	for rows.Next() {
		c, err := scanCall(rows)
		if err != nil {
			return nil, 0, fmt.Errorf("sqlite: list calls: %w", err)
		}
		calls = append(calls, c)
	}
	if err := rows.Err(); err != nil {
		return nil, 0, fmt.Errorf("sqlite: list calls: %w", err)
	}
	return calls, total, nil
}
