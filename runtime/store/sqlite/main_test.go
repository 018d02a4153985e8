package sqlite_test

import (
	"context"
	"database/sql"
	"fmt"
	"path/filepath"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
	"go.uber.org/goleak"

	"github.com/parleyhq/parley/runtime/call"
	"github.com/parleyhq/parley/runtime/store"
	"github.com/parleyhq/parley/runtime/store/sqlite"
)

func TestMain(m *testing.M) {
	goleak.VerifyTestMain(m)
}

// base is a fixed instant with a full nanosecond fraction, to catch any
// rounding on the way through the database.
var base = time.Date(2025, 3, 4, 5, 6, 7, 123456789, time.UTC)

// openStore opens a store on a fresh file and closes it when the test ends.
func openStore(t testing.TB, opts ...sqlite.Option) (*sqlite.Store, string) {
	t.Helper()
	path := filepath.Join(t.TempDir(), "parley.db")
	s, err := sqlite.Open(context.Background(), path, opts...)
	require.NoError(t, err)
	t.Cleanup(func() { require.NoError(t, s.Close()) })
	return s, path
}

// rawDB opens the file directly, for looking behind the store's back.
func rawDB(t testing.TB, path string) *sql.DB {
	t.Helper()
	db, err := sql.Open("sqlite", path+"?_pragma=busy_timeout(5000)")
	require.NoError(t, err)
	t.Cleanup(func() { require.NoError(t, db.Close()) })
	return db
}

func phone(t testing.TB, s string) call.PhoneNumber {
	t.Helper()
	p, err := call.ParsePhoneNumber(s)
	require.NoError(t, err)
	return p
}

// newCall returns an INITIATING agent call created i seconds after base.
func newCall(t testing.TB, i int) *call.Call {
	t.Helper()
	return &call.Call{
		ID:           fmt.Sprintf("call-%04d", i),
		SessionID:    fmt.Sprintf("session-%04d", i),
		CallerNumber: phone(t, "010-1234-5678"),
		Agent:        "support",
		Status:       call.StatusInitiating,
		CreatedAt:    base.Add(time.Duration(i) * time.Second),
	}
}

func userTurn(text string) *store.Turn {
	return &store.Turn{Role: store.RoleUser, Text: text}
}

func countRows(t testing.TB, db *sql.DB, query string, args ...any) int {
	t.Helper()
	var n int
	require.NoError(t, db.QueryRow(query, args...).Scan(&n))
	return n
}
