package live

import (
	"context"
	"errors"
	"fmt"

	"github.com/parleyhq/parley/runtime/call"
	"github.com/parleyhq/parley/runtime/signaling"
	"github.com/parleyhq/parley/runtime/store"
)

// CallsBySession finds a call by its signaling session id;
// *service.Calls implements it.
type CallsBySession interface {
	BySession(ctx context.Context, sessionID string) (*call.Call, error)
}

// Sessions answers signaling's session lookups from the stored calls: a
// call is joinable while live, agent-served when it has an agent (no
// receiverNumber), and, in key mode, joinable with the call token that
// created it.
type Sessions struct{ Calls CallsBySession }

// Lookup implements signaling.Sessions.
func (s Sessions) Lookup(ctx context.Context, sessionID string) (signaling.Session, error) {
	c, err := s.Calls.BySession(ctx, sessionID)
	if errors.Is(err, store.ErrNotFound) {
		return signaling.Session{}, fmt.Errorf("%w: %w", signaling.ErrSessionNotFound, err)
	}
	if err != nil {
		return signaling.Session{}, err
	}
	return signaling.Session{CallID: c.ID, Live: c.Status.Live(), Agent: c.Agent != "", TokenID: c.TokenID, Owner: c.Owner}, nil
}
