package service

import (
	"errors"
	"fmt"
)

// ErrValidation is matched (errors.Is) by every *ValidationError.
var ErrValidation = errors.New("invalid request")

// ValidationError names the request field that is wrong and why.
type ValidationError struct {
	Field   string
	Message string
}

// Error implements error.
func (e *ValidationError) Error() string { return fmt.Sprintf("%s: %s", e.Field, e.Message) }

// Is makes errors.Is(err, ErrValidation) true.
func (e *ValidationError) Is(target error) bool { return target == ErrValidation }

func invalid(field, format string, args ...any) error {
	return &ValidationError{Field: field, Message: fmt.Sprintf(format, args...)}
}
