package sqlite

import (
	"context"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/require"
)

func TestCheckPragmasRefusesRollbackJournal(t *testing.T) {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "j.db")
	db, err := openPool(ctx, path+"?_pragma=journal_mode(DELETE)&_pragma=synchronous(FULL)&_pragma=foreign_keys(ON)", 1)
	require.NoError(t, err)
	defer func() { require.NoError(t, db.Close()) }()
	require.ErrorContains(t, checkPragmas(ctx, db), `journal_mode is "delete", want wal`)
}

func TestCheckPragmasRefusesWeakSync(t *testing.T) {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "s.db")
	db, err := openPool(ctx, path+"?_pragma=journal_mode(WAL)&_pragma=synchronous(NORMAL)&_pragma=foreign_keys(ON)", 1)
	require.NoError(t, err)
	defer func() { require.NoError(t, db.Close()) }()
	require.ErrorContains(t, checkPragmas(ctx, db), "synchronous is 1, want 2")
}
