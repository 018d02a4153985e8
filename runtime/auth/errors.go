package auth

import "errors"

// Sentinel errors. Callers branch on them with errors.Is.
var (
	// ErrUnauthorized means no credential, or one that is not a valid key or token.
	ErrUnauthorized = errors.New("unauthorized")
	// ErrExpired means a call token that was valid once but is past its expiry.
	ErrExpired = errors.New("call token expired")
	// ErrTTL means a token lifetime outside (0, MaxTTL].
	ErrTTL = errors.New("call token lifetime out of range")
	// ErrTokenVariables means variables too large to sign into a token.
	ErrTokenVariables = errors.New("too many variables for a call token")
)
