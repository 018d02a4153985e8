// Package datadir keeps the small values a runtime makes once and keeps in
// its data directory across restarts (the token secret, the instance id).
package datadir

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
)

// Value returns the value in dir/name (trimmed of white space), or, when
// the file does not exist, makes one with make and writes it there (mode
// 0600, the directory 0750). When two processes race, one creates the file
// and the other reads it: the file appears whole (written aside, then
// hard-linked into place), never empty. A stored value that check refuses is an
// error naming the file.
func Value(dir, name string, make func() string, check func(string) error) (string, error) {
	path := filepath.Join(dir, name)
	for range 2 {
		b, err := os.ReadFile(path)
		switch {
		case err == nil:
			v := strings.TrimSpace(string(b))
			if err := check(v); err != nil {
				return "", fmt.Errorf("%s: %w; delete it to have a new one made", path, err)
			}
			return v, nil
		case !errors.Is(err, fs.ErrNotExist):
			return "", fmt.Errorf("read %s: %w", path, err)
		}
		if err := os.MkdirAll(dir, 0o750); err != nil {
			return "", fmt.Errorf("create %s: %w", path, err)
		}
		v := make()
		err = publish(dir, path, v)
		if errors.Is(err, fs.ErrExist) {
			continue // another process made it first: read theirs
		}
		if err != nil {
			return "", err
		}
		return v, nil
	}
	return "", fmt.Errorf("create %s: it appeared and vanished", path)
}

// publish writes v to a temporary file in dir and links it to path, which
// fails with fs.ErrExist when path exists.
func publish(dir, path, v string) error {
	f, err := os.CreateTemp(dir, ".tmp-*")
	if err != nil {
		return fmt.Errorf("create %s: %w", path, err)
	}
	tmp := f.Name()
	defer func() { _ = os.Remove(tmp) }()
	if err := f.Chmod(0o600); err != nil {
		_ = f.Close()
		return fmt.Errorf("create %s: %w", path, err)
	}
	if _, err := f.WriteString(v + "\n"); err != nil {
		_ = f.Close()
		return fmt.Errorf("write %s: %w", path, err)
	}
	if err := f.Sync(); err != nil {
		_ = f.Close()
		return fmt.Errorf("write %s: %w", path, err)
	}
	if err := f.Close(); err != nil {
		return fmt.Errorf("write %s: %w", path, err)
	}
	if err := os.Link(tmp, path); err != nil {
		if errors.Is(err, fs.ErrExist) {
			return fs.ErrExist
		}
		return fmt.Errorf("create %s: %w", path, err)
	}
	return nil
}
