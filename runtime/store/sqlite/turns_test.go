package sqlite_test

import (
	"context"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/parleyhq/parley/runtime/store"
)

// TestAppendTurnsIsAtomic makes the database itself refuse a turn in the
// middle of a batch (a trigger): nothing of the batch is kept.
func TestAppendTurnsIsAtomic(t *testing.T) {
	ctx := context.Background()
	s, path := openStore(t)
	c := newCall(t, 1)
	require.NoError(t, s.CreateCall(ctx, c))
	require.NoError(t, s.AppendTurns(ctx, c.ID, userTurn("kept")))

	// Make the database itself refuse the third turn of the next batch, after
	// two inserts have already run inside the transaction.
	_, err := rawDB(t, path).Exec(`CREATE TRIGGER boom BEFORE INSERT ON turns
		WHEN NEW.text = 'boom' BEGIN SELECT RAISE(ABORT, 'boom'); END`)
	require.NoError(t, err)

	batch := []*store.Turn{userTurn("one"), userTurn("two"), userTurn("boom"), userTurn("four")}
	require.ErrorContains(t, s.AppendTurns(ctx, c.ID, batch...), "boom")
	for _, turn := range batch {
		assert.Zero(t, turn.Seq)
	}
	got, err := s.Turns(ctx, c.ID)
	require.NoError(t, err)
	require.Len(t, got, 1)
	assert.Equal(t, "kept", got[0].Text)

	// The next batch continues right after the last stored turn.
	next := userTurn("next")
	require.NoError(t, s.AppendTurns(ctx, c.ID, next))
	assert.Equal(t, 2, next.Seq)
}
