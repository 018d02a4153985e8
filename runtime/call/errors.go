package call

import (
	"errors"
	"fmt"
)

var (
	// ErrInvalidTransition is matched (errors.Is) by every *TransitionError.
	ErrInvalidTransition = errors.New("invalid call status transition")
	// ErrInvalidPhoneNumber is returned for a string that is not a phone number.
	ErrInvalidPhoneNumber = errors.New("invalid phone number")
)

// TransitionError reports a status change the state machine does not allow.
type TransitionError struct {
	From, To Status
}

// Error implements error.
func (e *TransitionError) Error() string {
	if e.From.Terminal() {
		return fmt.Sprintf("call is already %s", e.From)
	}
	return fmt.Sprintf("cannot change call status from %s to %s", e.From, e.To)
}

// Is makes errors.Is(err, ErrInvalidTransition) true.
func (e *TransitionError) Is(target error) bool { return target == ErrInvalidTransition }
