package postgres_test

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"os"
	"sync"
	"testing"

	"github.com/jackc/pgx/v5"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/parleyhq/parley/internal/pgtest"
	"github.com/parleyhq/parley/runtime/store"
	"github.com/parleyhq/parley/runtime/store/postgres"
	"github.com/parleyhq/parley/runtime/store/schema"
	"github.com/parleyhq/parley/runtime/store/storetest"
)

// server is the package's PostgreSQL server (Debian's postgresql, in a
// temporary directory), shared by its tests; nil with -short.
var server *pgtest.Server

func TestMain(m *testing.M) {
	flag.Parse()
	if !testing.Short() {
		var err error
		if server, err = pgtest.Launch(); err != nil {
			fmt.Fprintln(os.Stderr, err)
			os.Exit(1)
		}
	}
	code := m.Run()
	if server != nil {
		if err := server.Stop(); err != nil {
			fmt.Fprintln(os.Stderr, err)
		}
	}
	os.Exit(code)
}

// database returns the URL of a new, empty database.
func database(t *testing.T) string {
	t.Helper()
	if server == nil {
		t.Skip("starts PostgreSQL")
	}
	return server.NewDatabase(t)
}

// open opens a store on url, closed when t ends.
func open(t *testing.T, url string, opts ...postgres.Option) *postgres.Store {
	t.Helper()
	s, err := postgres.Open(context.Background(), url, opts...)
	require.NoError(t, err)
	t.Cleanup(func() { require.NoError(t, s.Close()) })
	return s
}

// TestContract runs store.Store's contract (runtime/store/storetest) on
// PostgreSQL: each test a database of its own, each handle another pool.
func TestContract(t *testing.T) {
	storetest.Run(t, func(t *testing.T) func() store.Store {
		url := database(t)
		return func() store.Store { return open(t, url) }
	})
}

// TestText: PostgreSQL text holds neither NUL nor invalid UTF-8; such text
// is stored with U+FFFD in their place, and a key with them names nothing.
func TestText(t *testing.T) {
	ctx := context.Background()
	s := open(t, database(t))
	c := storetest.NewCall(t, 1)
	c.Agent = "sup\x00port"
	require.NoError(t, s.CreateCall(ctx, c))
	turn := &store.Turn{Role: store.RoleAssistant, Text: "a\x00b\xffc",
		ToolCalls: []store.ToolCall{{Name: "look\x00up", Arguments: "{\"x\":\"\xff\"}"}}}
	require.NoError(t, s.AppendTurns(ctx, c.ID, turn))
	got, err := s.Turns(ctx, c.ID)
	require.NoError(t, err)
	require.Len(t, got, 1)
	assert.Equal(t, "a\uFFFDb\uFFFDc", got[0].Text)
	assert.Equal(t, "look\uFFFDup", got[0].ToolCalls[0].Name)
	stored, err := s.Call(ctx, c.ID)
	require.NoError(t, err)
	assert.Equal(t, "sup\uFFFDport", stored.Agent)

	for _, key := range []string{"x\x00", "\xff"} {
		_, err := s.Call(ctx, key)
		assert.ErrorIs(t, err, store.ErrNotFound)
		_, err = s.CallBySession(ctx, key)
		assert.ErrorIs(t, err, store.ErrNotFound)
		assert.ErrorIs(t, s.AppendTurns(ctx, key, storetest.UserTurn("x")), store.ErrNotFound)
		turns, err := s.Turns(ctx, key)
		require.NoError(t, err)
		assert.Empty(t, turns)
	}
}

// TestMigrations: opening twice applies nothing twice; many runtimes
// opening one new database at once migrate it once; a database a newer
// binary migrated is refused.
func TestMigrations(t *testing.T) {
	ctx := context.Background()
	url := database(t)
	var wg sync.WaitGroup
	errs := make([]error, 4)
	for i := range errs {
		wg.Go(func() {
			s, err := postgres.Open(ctx, url)
			if err == nil {
				err = s.Close()
			}
			errs[i] = err
		})
	}
	wg.Wait()
	for _, err := range errs {
		require.NoError(t, err)
	}
	conn, err := pgx.Connect(ctx, url)
	require.NoError(t, err)
	defer func() { _ = conn.Close(ctx) }()
	var n, latest int
	require.NoError(t, conn.QueryRow(ctx, `SELECT COUNT(*), MAX(version) FROM schema_migrations`).Scan(&n, &latest))
	assert.Equal(t, latest, n, "each migration recorded once")

	_, err = conn.Exec(ctx, `INSERT INTO schema_migrations (version, applied_at) VALUES (9999, now())`)
	require.NoError(t, err)
	s, err := postgres.Open(ctx, url)
	require.True(t, errors.Is(err, schema.ErrTooNew), "%v", err)
	assert.Nil(t, s)
}

// TestAppendTurnsIsAtomic makes the database refuse a turn in the middle of
// a batch (a trigger): nothing of the batch is kept.
func TestAppendTurnsIsAtomic(t *testing.T) {
	ctx := context.Background()
	url := database(t)
	s := open(t, url)
	c := storetest.NewCall(t, 1)
	require.NoError(t, s.CreateCall(ctx, c))
	require.NoError(t, s.AppendTurns(ctx, c.ID, storetest.UserTurn("kept")))
	conn, err := pgx.Connect(ctx, url)
	require.NoError(t, err)
	defer func() { _ = conn.Close(ctx) }()
	_, err = conn.Exec(ctx, `CREATE FUNCTION boom() RETURNS trigger AS $$
		BEGIN IF NEW.text = 'boom' THEN RAISE EXCEPTION 'boom'; END IF; RETURN NEW; END $$ LANGUAGE plpgsql;
		CREATE TRIGGER boom BEFORE INSERT ON turns FOR EACH ROW EXECUTE FUNCTION boom()`)
	require.NoError(t, err)

	batch := []*store.Turn{storetest.UserTurn("one"), storetest.UserTurn("two"), storetest.UserTurn("boom"), storetest.UserTurn("four")}
	require.ErrorContains(t, s.AppendTurns(ctx, c.ID, batch...), "boom")
	for _, turn := range batch {
		assert.Zero(t, turn.Seq)
	}
	got, err := s.Turns(ctx, c.ID)
	require.NoError(t, err)
	require.Len(t, got, 1)
	next := storetest.UserTurn("next")
	require.NoError(t, s.AppendTurns(ctx, c.ID, next))
	assert.Equal(t, 2, next.Seq)
}

// TestOpenRefusesBadURLs: a URL that does not parse or reaches no server
// fails Open with a message that does not hold the password.
func TestOpenRefusesBadURLs(t *testing.T) {
	ctx := context.Background()
	for _, url := range []string{"postgres://u:secret@127.0.0.1:1/db?connect_timeout=1", "postgres://u:secret@[::1/db", "not a url at all ="} {
		s, err := postgres.Open(ctx, url)
		require.Error(t, err, url)
		assert.Nil(t, s)
		assert.NotContains(t, err.Error(), "secret")
	}
	_, err := postgres.Open(ctx, "postgres://127.0.0.1:1/db", postgres.WithMaxConns(0))
	require.Error(t, err)
}

// TestClaimDeliveriesAcrossInstances: two runtimes claiming one queue at
// once never get the same delivery.
func TestClaimDeliveriesAcrossInstances(t *testing.T) {
	ctx := context.Background()
	url := database(t)
	a, b := open(t, url), open(t, url)
	c := storetest.NewCall(t, 1)
	require.NoError(t, a.CreateCall(ctx, c))
	var ds []*store.Delivery
	for i := range 200 {
		ds = append(ds, &store.Delivery{ID: fmt.Sprintf("d-%03d", i), EventID: "e", Event: "call-ended",
			CallID: c.ID, URL: "http://127.0.0.1:1/", Timeout: 1e9, Status: store.DeliveryPending,
			CreatedAt: storetest.Base, NextAttemptAt: storetest.Base})
	}
	require.NoError(t, a.EnqueueDeliveries(ctx, ds...))
	var (
		mu   sync.Mutex
		seen = map[string]int{}
		wg   sync.WaitGroup
	)
	for _, s := range []*postgres.Store{a, b, a, b} {
		wg.Go(func() {
			for {
				got, err := s.ClaimDeliveries(ctx, storetest.Base, 1e12, 7)
				if err != nil {
					t.Error(err)
					return
				}
				if len(got) == 0 {
					return
				}
				mu.Lock()
				for _, d := range got {
					seen[d.ID]++
				}
				mu.Unlock()
			}
		})
	}
	wg.Wait()
	require.Len(t, seen, len(ds))
	for id, n := range seen {
		require.Equal(t, 1, n, "delivery %s claimed %d times", id, n)
	}
}
