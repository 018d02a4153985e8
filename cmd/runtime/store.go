package main

import (
	"context"
	"crypto/rand"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"unicode"

	"github.com/parleyhq/parley/runtime/config"
	"github.com/parleyhq/parley/runtime/datadir"
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

// instanceFile keeps the instance id made for a runtime that was given
// none, so that it owns its calls again after a restart.
const instanceFile = "instance.id"

// instanceID returns this runtime's instance id: the configured one, else
// the one kept in the data directory, made once from the host name and a
// random suffix.
func instanceID(cfg *config.Config) (string, error) {
	if cfg.Instance.ID != "" {
		return cfg.Instance.ID, nil
	}
	id, err := datadir.Value(cfg.DataDir, instanceFile, func() string {
		host, err := os.Hostname()
		if err != nil || host == "" {
			host = "parley"
		}
		var b [3]byte
		_, _ = rand.Read(b[:])
		return fmt.Sprintf("%s-%x", host, b)
	}, func(id string) error {
		if id == "" || len(id) > 128 || strings.ContainsFunc(id, unicode.IsSpace) {
			return fmt.Errorf("%q is not an instance id", id)
		}
		return nil
	})
	if err != nil {
		return "", fmt.Errorf("instance id: %w", err)
	}
	return id, nil
}
