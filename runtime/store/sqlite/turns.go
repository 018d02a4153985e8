package sqlite

import (
	"context"
	"database/sql"
	"fmt"
	"strings"

	"github.com/parleyhq/parley/runtime/store"
)

// AppendTurns stores turns after the call's last turn, numbering them from
// its last seq + 1, in one transaction: either all are stored or none. On
// success it sets each turn's Seq and CallID; on failure it leaves them
// untouched. It returns an error wrapping store.ErrNotFound if the call does
// not exist. Appending no turns only checks that the call exists.
func (s *Store) AppendTurns(ctx context.Context, callID string, turns ...*store.Turn) error {
	for i, t := range turns {
		if err := store.CheckTurn(t); err != nil {
			return fmt.Errorf("sqlite: append turns to call %s: turn %d: %w", callID, i, err)
		}
	}
	var last int
	err := inTx(ctx, s.w, func(tx *sql.Tx) error {
		var exists int
		err := tx.QueryRowContext(ctx, `SELECT COUNT(*) FROM calls WHERE id = ?`, callID).Scan(&exists)
		if err != nil {
			return err
		}
		if exists == 0 {
			return store.ErrNotFound
		}
		if err := tx.QueryRowContext(ctx, `SELECT COALESCE(MAX(seq), 0) FROM turns WHERE call_id = ?`, callID).Scan(&last); err != nil {
			return err
		}
		if len(turns) == 0 {
			return nil
		}
		stmt, err := tx.PrepareContext(ctx, `INSERT INTO turns (`+turnColumns+`) VALUES (?`+strings.Repeat(", ?", turnColumnCount-1)+`)`)
		if err != nil {
			return err
		}
		defer stmt.Close()
		for i, t := range turns {
			if _, err := stmt.ExecContext(ctx, turnArgs(callID, last+i+1, t)...); err != nil {
				return fmt.Errorf("insert turn %d: %w", last+i+1, err)
			}
			for j, tc := range t.ToolCalls {
				if _, err := tx.ExecContext(ctx, `INSERT INTO tool_calls (`+toolCallColumns+`) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
					toolCallArgs(callID, last+i+1, j, tc)...); err != nil {
					return fmt.Errorf("insert tool call %d of turn %d: %w", j, last+i+1, err)
				}
			}
		}
		return nil
	})
	if err != nil {
		return fmt.Errorf("sqlite: append turns to call %s: %w", callID, err)
	}
	for i, t := range turns {
		t.CallID, t.Seq = callID, last+i+1
	}
	return nil
}

// Turns returns the call's turns in seq order; an empty slice if it has none
// or does not exist.
func (s *Store) Turns(ctx context.Context, callID string) ([]*store.Turn, error) {
	rows, err := s.r.QueryContext(ctx, `SELECT `+turnColumns+` FROM turns WHERE call_id = ? ORDER BY seq`, callID)
	if err != nil {
		return nil, fmt.Errorf("sqlite: turns of call %s: %w", callID, err)
	}
	defer rows.Close()
	turns := []*store.Turn{}
	for rows.Next() {
		t, err := scanTurn(rows)
		if err != nil {
			return nil, fmt.Errorf("sqlite: turns of call %s: %w", callID, err)
		}
		turns = append(turns, t)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("sqlite: turns of call %s: %w", callID, err)
	}
	if err := s.attachToolCalls(ctx, callID, turns); err != nil {
		return nil, fmt.Errorf("sqlite: turns of call %s: %w", callID, err)
	}
	return turns, nil
}

// attachToolCalls reads the call's tool calls into the turns that made them.
func (s *Store) attachToolCalls(ctx context.Context, callID string, turns []*store.Turn) error {
	if len(turns) == 0 {
		return nil
	}
	bySeq := make(map[int]*store.Turn, len(turns))
	for _, t := range turns {
		bySeq[t.Seq] = t
	}
	rows, err := s.r.QueryContext(ctx, `SELECT `+toolCallColumns+` FROM tool_calls WHERE call_id = ? ORDER BY turn_seq, idx`, callID)
	if err != nil {
		return fmt.Errorf("tool calls: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		seq, tc, err := scanToolCall(rows)
		if err != nil {
			return fmt.Errorf("tool calls: %w", err)
		}
		if t := bySeq[seq]; t != nil {
			t.ToolCalls = append(t.ToolCalls, tc)
		}
	}
	return rows.Err()
}
