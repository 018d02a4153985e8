package store

import "errors"

var (
	// ErrNotFound is returned when no record has the given key.
	ErrNotFound = errors.New("not found")
	// ErrConflict is returned when a record changed under an update.
	ErrConflict = errors.New("changed by another request")
	// ErrDuplicate is returned when a record with the same key exists.
	ErrDuplicate = errors.New("already exists")
)
