package sqlite_test

import (
	"context"
	"database/sql"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/parleyhq/parley/runtime/call"
)

// TestTimesKeepNanoseconds: SQLite keeps times to the nanosecond (the
// contract asks for the microsecond).
func TestTimesKeepNanoseconds(t *testing.T) {
	ctx := context.Background()
	s, _ := openStore(t)
	at := time.Date(2025, 3, 4, 5, 6, 7, 123456789, time.UTC)
	c := &call.Call{ID: "n", SessionID: "sn", Status: call.StatusEnded, CreatedAt: at,
		ConnectedAt: at.Add(time.Nanosecond), EndedAt: at.Add(time.Hour + 999*time.Nanosecond), EndReason: call.ReasonHangup}
	require.NoError(t, s.CreateCall(ctx, c))
	got, err := s.Call(ctx, c.ID)
	require.NoError(t, err)
	assert.Equal(t, c, got)
}

func TestCallVariablesColumn(t *testing.T) {
	ctx := context.Background()
	s, path := openStore(t)
	c := newCall(t, 1)
	c.Variables = map[string]any{"order": int64(42), "name": "Ada"}
	require.NoError(t, s.CreateCall(ctx, c))
	plain := newCall(t, 2)
	require.NoError(t, s.CreateCall(ctx, plain))

	db := rawDB(t, path)
	var stored sql.NullString
	require.NoError(t, db.QueryRow(`SELECT variables FROM calls WHERE id = ?`, c.ID).Scan(&stored))
	assert.JSONEq(t, `{"order": 42, "name": "Ada"}`, stored.String)
	require.NoError(t, db.QueryRow(`SELECT variables FROM calls WHERE id = ?`, plain.ID).Scan(&stored))
	assert.False(t, stored.Valid, "a call without variables stores NULL")

	got, err := s.Call(ctx, plain.ID)
	require.NoError(t, err)
	assert.Nil(t, got.Variables)
	// The column takes only JSON objects.
	_, err = db.Exec(`UPDATE calls SET variables = '[1]' WHERE id = ?`, plain.ID)
	assert.Error(t, err)
}
