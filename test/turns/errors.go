package turns

import "errors"

// ErrInvalidSet is wrapped by every error Load returns for a set that does
// not hold: a bad item, or too few items of a kind.
var ErrInvalidSet = errors.New("invalid turn-taking set")
