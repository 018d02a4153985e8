package sqlite

import (
	"context"
	"database/sql"
	"io/fs"
	"path/filepath"
	"testing"
	"testing/fstest"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/parleyhq/parley/runtime/store/schema"
)

func openWriter(t *testing.T) *sql.DB {
	t.Helper()
	db, err := openPool(context.Background(), writerDSN(filepath.Join(t.TempDir(), "m.db"), defaultOptions()), 1)
	require.NoError(t, err)
	t.Cleanup(func() { require.NoError(t, db.Close()) })
	return db
}

func versions(t *testing.T, db *sql.DB) []int {
	t.Helper()
	rows, err := db.Query("SELECT version FROM schema_migrations ORDER BY version")
	require.NoError(t, err)
	defer rows.Close()
	var out []int
	for rows.Next() {
		var v int
		require.NoError(t, rows.Scan(&v))
		out = append(out, v)
	}
	require.NoError(t, rows.Err())
	return out
}

func tableExists(t *testing.T, db *sql.DB, name string) bool {
	t.Helper()
	var n int
	require.NoError(t, db.QueryRow("SELECT COUNT(*) FROM sqlite_schema WHERE type = 'table' AND name = ?", name).Scan(&n))
	return n > 0
}

func file(s string) *fstest.MapFile { return &fstest.MapFile{Data: []byte(s)} }

func TestMigrateAppliesOnlyNew(t *testing.T) {
	ctx := context.Background()
	db := openWriter(t)
	v1 := fstest.MapFS{"0001_a.sql": file("CREATE TABLE a (x INTEGER);")}
	require.NoError(t, migrate(ctx, db, v1))
	assert.Equal(t, []int{1}, versions(t, db))

	// Re-running 0001 would fail (the table exists), so success here shows it
	// was skipped.
	v2 := fstest.MapFS{
		"0001_a.sql": file("CREATE TABLE a (x INTEGER);"),
		"0002_b.sql": file("CREATE TABLE b (y INTEGER); INSERT INTO a VALUES (1);"),
	}
	require.NoError(t, migrate(ctx, db, v2))
	require.NoError(t, migrate(ctx, db, v2))
	assert.Equal(t, []int{1, 2}, versions(t, db))
	assert.True(t, tableExists(t, db, "b"))
	var n int
	require.NoError(t, db.QueryRow("SELECT COUNT(*) FROM a").Scan(&n))
	assert.Equal(t, 1, n, "0002 ran more than once")
}

func TestMigrateFailureLeavesSchemaAsItWas(t *testing.T) {
	ctx := context.Background()
	db := openWriter(t)
	ms := fstest.MapFS{
		"0001_a.sql": file("CREATE TABLE a (x INTEGER);"),
		"0002_b.sql": file("CREATE TABLE b (y INTEGER); INSERT INTO missing VALUES (1);"),
	}
	err := migrate(ctx, db, ms)
	require.ErrorContains(t, err, "0002_b.sql")
	assert.Equal(t, []int{1}, versions(t, db))
	assert.True(t, tableExists(t, db, "a"))
	assert.False(t, tableExists(t, db, "b"), "half of a failed migration was kept")
}

func TestMigrateRefusesNewerDatabase(t *testing.T) {
	ctx := context.Background()
	db := openWriter(t)
	require.NoError(t, migrate(ctx, db, fstest.MapFS{
		"0001_a.sql": file("CREATE TABLE a (x INTEGER);"),
		"0002_b.sql": file("CREATE TABLE b (y INTEGER);"),
	}))
	err := migrate(ctx, db, fstest.MapFS{"0001_a.sql": file("CREATE TABLE a (x INTEGER);")})
	require.ErrorIs(t, err, ErrSchemaTooNew)
	assert.Equal(t, []int{1, 2}, versions(t, db))
}

func TestEmbeddedMigrationsAreValid(t *testing.T) {
	migrations, err := fs.Sub(embedded, "migrations")
	require.NoError(t, err)
	ms, err := schema.Load(migrations)
	require.NoError(t, err)
	require.NotEmpty(t, ms)
	db := openWriter(t)
	require.NoError(t, migrate(context.Background(), db, migrations))
	for _, table := range []string{"calls", "turns", "schema_migrations"} {
		assert.True(t, tableExists(t, db, table), table)
	}
}

// TestEveryConnectionHasPragmas holds several connections of each pool open
// at once, so they cannot all be the first one the pool made.
func TestEveryConnectionHasPragmas(t *testing.T) {
	ctx := context.Background()
	s, err := Open(ctx, filepath.Join(t.TempDir(), "p.db"), WithReadConns(3))
	require.NoError(t, err)
	defer func() { require.NoError(t, s.Close()) }()

	check := func(db *sql.DB, conns int, want map[string]string) {
		held := make([]*sql.Conn, 0, conns)
		defer func() {
			for _, c := range held {
				require.NoError(t, c.Close())
			}
		}()
		for range conns {
			c, err := db.Conn(ctx)
			require.NoError(t, err)
			held = append(held, c)
			for pragma, v := range want {
				var got string
				require.NoError(t, c.QueryRowContext(ctx, "PRAGMA "+pragma).Scan(&got))
				assert.Equal(t, v, got, pragma)
			}
		}
	}
	check(s.w, 1, map[string]string{"journal_mode": "wal", "synchronous": "2", "foreign_keys": "1", "busy_timeout": "5000"})
	check(s.r, 3, map[string]string{"journal_mode": "wal", "foreign_keys": "1", "busy_timeout": "5000", "query_only": "1"})
}
