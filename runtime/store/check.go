package store

import (
	"errors"
	"fmt"
	"math"

	"github.com/parleyhq/parley/runtime/call"
)

// CheckCall returns why a store refuses to save c (nil if it does not),
// with a clearer message than a schema constraint's.
func CheckCall(c *call.Call) error {
	switch {
	case c == nil:
		return errors.New("nil call")
	case c.ID == "":
		return errors.New("call has no id")
	case c.SessionID == "":
		return fmt.Errorf("call %s has no session id", c.ID)
	case c.Status.String() == call.StatusUnknown.String(): // also catches out-of-range values
		return fmt.Errorf("call %s has no valid status", c.ID)
	case c.CreatedAt.IsZero():
		return fmt.Errorf("call %s has no creation time", c.ID)
	}
	return nil
}

// CheckTurn returns why a store refuses to save t (nil if it does not).
func CheckTurn(t *Turn) error {
	switch {
	case t == nil:
		return errors.New("nil turn")
	case t.Role != RoleUser && t.Role != RoleAssistant:
		return fmt.Errorf("role %q is neither %q nor %q", t.Role, RoleUser, RoleAssistant)
	case t.Sentiment != nil && math.IsNaN(t.Sentiment.Score):
		return errors.New("sentiment score is NaN") // SQLite would store NULL
	case len(t.ToolCalls) > 0 && t.Role != RoleAssistant:
		return fmt.Errorf("a %s turn has tool calls; only assistant turns do", t.Role)
	}
	for i, tc := range t.ToolCalls {
		if tc.Name == "" {
			return fmt.Errorf("tool call %d has no name", i)
		}
		if tc.Duration < 0 {
			return fmt.Errorf("tool call %d has a negative duration", i)
		}
	}
	return nil
}

// DefaultPageSize is the page size of a listing whose filter's Limit is 0.
const DefaultPageSize = 20

// PageSize is the page size of a listing asked for limit: DefaultPageSize
// for 0, else limit clamped to 1..MaxPageSize.
func PageSize(limit int) int {
	if limit == 0 {
		return DefaultPageSize
	}
	return min(max(limit, 1), MaxPageSize)
}
