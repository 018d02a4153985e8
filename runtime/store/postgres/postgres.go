// Package postgres implements store.Store on a PostgreSQL server (pgx v5,
// a pool of connections): the store of a runtime with more than one
// instance, selected by PARLEY_DATABASE_URL=postgres://...
//
// Every write is one transaction that commits before the method returns;
// the server's durability settings decide what a crash of the server keeps
// (the defaults keep every committed transaction). Several runtimes may
// share a database: migrations take an advisory lock, turns are numbered
// under a lock on their call's row, webhook deliveries are claimed with
// FOR UPDATE SKIP LOCKED, and a call's status changes only from the status
// its writer read (optimistic concurrency).
//
// Storage conventions (migrations/0001_init.sql): a value whose Go zero
// means "absent" is NULL; times are timestamptz, kept to the microsecond;
// durations are integer nanoseconds. PostgreSQL text holds neither NUL
// bytes nor invalid UTF-8: text with them is stored with U+FFFD in their
// place rather than refused.
package postgres

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"sync"

	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/parleyhq/parley/runtime/store"
)

var _ store.Store = (*Store)(nil)

// Store is a store.Store on a PostgreSQL database. It is safe for
// concurrent use.
type Store struct {
	pool *pgxpool.Pool

	closeOnce sync.Once
}

// Option tunes Open.
type Option func(*pgxpool.Config)

// WithMaxConns bounds the pool's connections (default 10).
func WithMaxConns(n int32) Option { return func(c *pgxpool.Config) { c.MaxConns = n } }

// DefaultMaxConns is the pool's size unless the URL's pool_max_conns or
// WithMaxConns says otherwise.
const DefaultMaxConns = 10

// Open connects to the database at url (postgres://user:password@host:port/db?...,
// or key=value pairs; libpq's PG* environment variables fill in what it
// leaves out), checks that it answers and applies the migrations it lacks.
// It fails if the database was migrated by a newer binary
// (schema.ErrTooNew). ctx bounds the connecting and the migrations only.
func Open(ctx context.Context, url string, opts ...Option) (*Store, error) {
	cfg, err := pgxpool.ParseConfig(url)
	if err != nil {
		// pgconn's message shows the URL with its password redacted.
		return nil, fmt.Errorf("postgres: bad database URL: %w", err)
	}
	if !strings.Contains(url, "pool_max_conns") { // pgxpool's own default follows the CPU count
		cfg.MaxConns = DefaultMaxConns
	}
	for _, o := range opts {
		o(cfg)
	}
	if cfg.MaxConns < 1 {
		return nil, errors.New("postgres: the pool needs at least one connection")
	}
	pool, err := pgxpool.NewWithConfig(ctx, cfg)
	if err != nil {
		return nil, fmt.Errorf("postgres: connect: %w", err)
	}
	if err := pool.Ping(ctx); err != nil {
		pool.Close()
		return nil, fmt.Errorf("postgres: connect to %s: %w", cfg.ConnConfig.Host, err)
	}
	if err := migrate(ctx, pool); err != nil {
		pool.Close()
		return nil, fmt.Errorf("postgres: %w", err)
	}
	return &Store{pool: pool}, nil
}

// Ping checks that the database answers.
func (s *Store) Ping(ctx context.Context) error {
	if err := s.pool.Ping(ctx); err != nil {
		return fmt.Errorf("postgres: ping: %w", err)
	}
	return nil
}

// Close closes the pool's connections; every later call on s fails.
// Calling it again is safe.
func (s *Store) Close() error {
	s.closeOnce.Do(s.pool.Close)
	return nil
}
