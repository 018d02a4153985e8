package service

import (
	"errors"
	"fmt"
)

// ErrTokenUsed means a call token that has already created its one call.
var ErrTokenUsed = errors.New("this call token has already created its call; ask for a new one")

// ErrPromptOverride means a request's systemPrompt for an agent that does not
// allow one to replace its own.
var ErrPromptOverride = errors.New("this agent does not take a systemPrompt from requests")

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
