package sqlite

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"net/url"
	"path/filepath"
	"strconv"
	"strings"
)

// checkPath returns path made absolute. The driver reads everything after the
// first '?' of a file name as DSN parameters, so such a path cannot be opened
// faithfully and is refused rather than truncated.
func checkPath(path string) (string, error) {
	if path == "" {
		return "", errors.New("empty path")
	}
	if strings.ContainsRune(path, '?') {
		return "", errors.New("path must not contain '?'")
	}
	abs, err := filepath.Abs(path)
	if err != nil {
		return "", fmt.Errorf("resolve path: %w", err)
	}
	return abs, nil
}

// writerDSN sets the pragmas on every connection the driver opens (not just
// the first, as a PRAGMA statement would) and makes BeginTx issue BEGIN
// IMMEDIATE, so a write transaction takes the write lock before its first
// read and can never fail half-way with SQLITE_BUSY on lock upgrade.
func writerDSN(path string, o options) string {
	q := url.Values{}
	q.Add("_pragma", "busy_timeout("+strconv.FormatInt(o.busyTimeout.Milliseconds(), 10)+")")
	q.Add("_pragma", "journal_mode(WAL)")
	q.Add("_pragma", "synchronous(FULL)")
	q.Add("_pragma", "foreign_keys(ON)")
	q.Set("_txlock", "immediate")
	return path + "?" + q.Encode()
}

// readerDSN is for the read pool. journal_mode is a property of the file,
// which the writer has already set; query_only makes an accidental write
// through a reader an error.
func readerDSN(path string, o options) string {
	q := url.Values{}
	q.Add("_pragma", "busy_timeout("+strconv.FormatInt(o.busyTimeout.Milliseconds(), 10)+")")
	q.Add("_pragma", "foreign_keys(ON)")
	q.Add("_pragma", "query_only(ON)")
	return path + "?" + q.Encode()
}

func openPool(ctx context.Context, dsn string, conns int) (*sql.DB, error) {
	db, err := sql.Open("sqlite", dsn)
	if err != nil {
		return nil, err
	}
	db.SetMaxOpenConns(conns)
	db.SetMaxIdleConns(conns)
	db.SetConnMaxLifetime(0)
	db.SetConnMaxIdleTime(0)
	if err := db.PingContext(ctx); err != nil {
		return nil, errors.Join(err, db.Close())
	}
	return db, nil
}

// checkPragmas verifies that the DSN took effect: a file on a filesystem
// without shared memory support, for one, silently stays out of WAL mode,
// and then readers would block writers.
func checkPragmas(ctx context.Context, db *sql.DB) error {
	var mode string
	if err := db.QueryRowContext(ctx, "PRAGMA journal_mode").Scan(&mode); err != nil {
		return fmt.Errorf("read journal_mode: %w", err)
	}
	if !strings.EqualFold(mode, "wal") {
		return fmt.Errorf("journal_mode is %q, want wal (is the file on a filesystem without shared memory, such as a network share?)", mode)
	}
	for _, p := range []struct {
		name string
		want int
	}{{"synchronous", 2}, {"foreign_keys", 1}} {
		var got int
		if err := db.QueryRowContext(ctx, "PRAGMA "+p.name).Scan(&got); err != nil {
			return fmt.Errorf("read %s: %w", p.name, err)
		}
		if got != p.want {
			return fmt.Errorf("%s is %d, want %d", p.name, got, p.want)
		}
	}
	return nil
}
