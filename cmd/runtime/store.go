package main

import (
	"context"
	"path/filepath"

	"github.com/parleyhq/parley/runtime/config"
	"github.com/parleyhq/parley/runtime/store"
	"github.com/parleyhq/parley/runtime/store/postgres"
	"github.com/parleyhq/parley/runtime/store/sqlite"
)

// openStore opens the store cfg names: PostgreSQL when database_url is
// set, else the SQLite file in the data directory.
func openStore(ctx context.Context, cfg *config.Config) (store.Store, error) {
	if url := cfg.DatabaseURL.Reveal(); url != "" {
		return postgres.Open(ctx, url)
	}
	return sqlite.Open(ctx, filepath.Join(cfg.DataDir, "parley.db"))
}
