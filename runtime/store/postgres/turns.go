package postgres

import (
	"context"
	"errors"
	"fmt"

	"github.com/jackc/pgx/v5"

	"github.com/parleyhq/parley/runtime/store"
)

// AppendTurns stores turns after the call's last turn, numbering them from
// its last seq + 1, in one transaction: either all are stored or none. The
// call's row is locked for the transaction, so writers of one call (on any
// instance) number in turn. On success it sets each turn's Seq and CallID;
// on failure it leaves them untouched. It returns an error wrapping
// store.ErrNotFound if the call does not exist.
func (s *Store) AppendTurns(ctx context.Context, callID string, turns ...*store.Turn) error {
	for i, t := range turns {
		if err := store.CheckTurn(t); err != nil {
			return fmt.Errorf("postgres: append turns to call %s: turn %d: %w", callID, i, err)
		}
	}
	if !storable(callID) {
		return fmt.Errorf("postgres: append turns: %w", store.ErrNotFound)
	}
	var last int
	err := pgx.BeginFunc(ctx, s.pool, func(tx pgx.Tx) error {
		var id string
		err := tx.QueryRow(ctx, `SELECT id FROM calls WHERE id = $1 FOR UPDATE`, callID).Scan(&id)
		if errors.Is(err, pgx.ErrNoRows) {
			return store.ErrNotFound
		}
		if err != nil {
			return err
		}
		if err := tx.QueryRow(ctx, `SELECT COALESCE(MAX(seq), 0) FROM turns WHERE call_id = $1`, callID).Scan(&last); err != nil {
			return err
		}
		var b pgx.Batch
		for i, t := range turns {
			b.Queue(`INSERT INTO turns (`+turnColumns+`) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $18)`,
				turnArgs(callID, last+i+1, t)...)
			for j, tc := range t.ToolCalls {
				b.Queue(`INSERT INTO tool_calls (`+toolCallColumns+`) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)`,
					toolCallArgs(callID, last+i+1, j, tc)...)
			}
		}
		if b.Len() == 0 {
			return nil
		}
		return tx.SendBatch(ctx, &b).Close()
	})
	if err != nil {
		return fmt.Errorf("postgres: append turns to call %s: %w", callID, err)
	}
	for i, t := range turns {
		t.CallID, t.Seq = callID, last+i+1
	}
	return nil
}

// Turns returns the call's turns in seq order, each with its tool calls;
// an empty slice if it has none or does not exist.
func (s *Store) Turns(ctx context.Context, callID string) ([]*store.Turn, error) {
	if !storable(callID) {
		return []*store.Turn{}, nil
	}
	var turns []*store.Turn
	err := pgx.BeginTxFunc(ctx, s.pool, snapshot, func(tx pgx.Tx) error {
		rows, err := tx.Query(ctx, `SELECT `+turnColumns+` FROM turns WHERE call_id = $1 ORDER BY seq`, callID)
		if err != nil {
			return err
		}
		if turns, err = collect(rows, scanTurn); err != nil || len(turns) == 0 {
			return err
		}
		bySeq := make(map[int]*store.Turn, len(turns))
		for _, t := range turns {
			bySeq[t.Seq] = t
		}
		rows, err = tx.Query(ctx, `SELECT `+toolCallColumns+` FROM tool_calls WHERE call_id = $1 ORDER BY turn_seq, idx`, callID)
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
	})
	if err != nil {
		return nil, fmt.Errorf("postgres: turns of call %s: %w", callID, err)
	}
	return turns, nil
}
