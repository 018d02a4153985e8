package sqlite_test

import (
	"context"
	"os"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/parleyhq/parley/runtime/store/sqlite"
)

func TestOpenCreatesDirectoryAndUsesWAL(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "a", "b")
	path := filepath.Join(dir, "parley.db")
	s, err := sqlite.Open(context.Background(), path)
	require.NoError(t, err)
	defer func() { require.NoError(t, s.Close()) }()

	fi, err := os.Stat(dir)
	require.NoError(t, err)
	assert.True(t, fi.IsDir())
	assert.Zero(t, fi.Mode().Perm()&^0o750, "directory mode %v is wider than 0750", fi.Mode().Perm())

	var mode string
	require.NoError(t, rawDB(t, path).QueryRow("PRAGMA journal_mode").Scan(&mode))
	assert.Equal(t, "wal", mode)
	require.NoError(t, s.Ping(context.Background()))
}

func TestOpenRejectsBadArguments(t *testing.T) {
	dir := t.TempDir()
	tests := []struct {
		name string
		path string
		opts []sqlite.Option
	}{
		{"empty path", "", nil},
		{"question mark", filepath.Join(dir, "what?.db"), nil},
		{"zero busy timeout", filepath.Join(dir, "x.db"), []sqlite.Option{sqlite.WithBusyTimeout(0)}},
		{"no readers", filepath.Join(dir, "y.db"), []sqlite.Option{sqlite.WithReadConns(0)}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s, err := sqlite.Open(context.Background(), tt.path, tt.opts...)
			require.Error(t, err)
			assert.Nil(t, s)
		})
	}
	entries, err := os.ReadDir(dir)
	require.NoError(t, err)
	assert.Empty(t, entries, "a refused Open created files")
}

func TestOpenRespectsCancelledContext(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	_, err := sqlite.Open(ctx, filepath.Join(t.TempDir(), "parley.db"))
	require.ErrorIs(t, err, context.Canceled)
}

func TestReopenKeepsData(t *testing.T) {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "parley.db")
	s, err := sqlite.Open(ctx, path)
	require.NoError(t, err)
	c := newCall(t, 1)
	require.NoError(t, s.CreateCall(ctx, c))
	require.NoError(t, s.AppendTurns(ctx, c.ID, userTurn("hello")))
	require.NoError(t, s.Close())

	migrations := func() [][2]string {
		db := rawDB(t, path)
		rows, err := db.Query("SELECT version, applied_at FROM schema_migrations ORDER BY version")
		require.NoError(t, err)
		defer rows.Close()
		var out [][2]string
		for rows.Next() {
			var v [2]string
			require.NoError(t, rows.Scan(&v[0], &v[1]))
			out = append(out, v)
		}
		require.NoError(t, rows.Err())
		return out
	}
	before := migrations()
	require.NotEmpty(t, before)

	s, err = sqlite.Open(ctx, path)
	require.NoError(t, err)
	defer func() { require.NoError(t, s.Close()) }()
	assert.Equal(t, before, migrations(), "reopening re-applied a migration")
	got, err := s.Call(ctx, c.ID)
	require.NoError(t, err)
	assert.Equal(t, c, got)
	turns, err := s.Turns(ctx, c.ID)
	require.NoError(t, err)
	require.Len(t, turns, 1)
	assert.Equal(t, "hello", turns[0].Text)
}

func TestOpenRefusesNewerSchema(t *testing.T) {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "parley.db")
	s, err := sqlite.Open(ctx, path)
	require.NoError(t, err)
	require.NoError(t, s.Close())

	db := rawDB(t, path)
	_, err = db.Exec("INSERT INTO schema_migrations (version, applied_at) VALUES (9999, 'future')")
	require.NoError(t, err)

	s, err = sqlite.Open(ctx, path)
	require.ErrorIs(t, err, sqlite.ErrSchemaTooNew)
	assert.Nil(t, s)
	assert.Contains(t, err.Error(), "9999")
}
