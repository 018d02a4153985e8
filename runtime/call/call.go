package call

import (
	"crypto/rand"
	"encoding/base64"
	"time"

	"github.com/google/uuid"
)

// End reasons recorded with a call that stopped.
const (
	ReasonHangup         = "hangup"
	ReasonRuntimeRestart = "runtime restart"
	// ReasonNoAnswer: the call was still ringing or connecting, without
	// media, when its ring timeout passed.
	ReasonNoAnswer = "no answer"
	// ReasonMaxDuration: the call reached its longest duration.
	ReasonMaxDuration = "max duration"
	// ReasonShutdown ends the calls still live when the runtime stops
	// (after its drain on SIGTERM).
	ReasonShutdown = "shutdown"
	// ReasonInstanceLost ends the live calls of a runtime instance that
	// stopped renewing its lease (it crashed, or lost its store): another
	// instance marks them FAILED.
	ReasonInstanceLost = "instance lost"
)

// Call is one phone call: a caller talking to an agent, or to another person
// when ReceiverNumber is set. Methods change the status only along the state
// machine of Status; they never touch storage.
type Call struct {
	ID             string
	SessionID      string
	CallerNumber   PhoneNumber
	ReceiverNumber PhoneNumber // zero for a call answered by an agent
	Agent          string      // agent name; empty for a person-to-person call
	Status         Status
	CreatedAt      time.Time
	ConnectedAt    time.Time // when media started flowing (IN_PROGRESS); zero before
	EndedAt        time.Time // when the call became ENDED or FAILED; zero before
	EndReason      string
	// TokenID is the id of the call token that created the call (key
	// mode); empty when a key holder or anyone in open mode created it. A
	// token creates one call, and its holder may signal only that call.
	TokenID string
	// Variables are the per-call values of an agent call, checked against
	// its agent's declarations when the call was created (given values and
	// defaults; strings, float64, int64 and bools); nil for none.
	Variables map[string]any
	// Owner is the id of the runtime instance that holds the call: the one
	// that created it, then the one that holds its media. Its calls are
	// failed when it restarts or its lease runs out. Empty for calls stored
	// before instances had ids.
	Owner string
}

// New starts a call in INITIATING with a fresh id and session id.
func New(caller, receiver PhoneNumber, agent string, now time.Time) *Call {
	return &Call{
		ID:             uuid.NewString(),
		SessionID:      NewSessionID(),
		CallerNumber:   caller,
		ReceiverNumber: receiver,
		Agent:          agent,
		Status:         StatusInitiating,
		CreatedAt:      now.UTC(),
	}
}

// NewSessionID returns an unguessable session id: 192 random bits, URL-safe.
func NewSessionID() string {
	var b [24]byte
	_, _ = rand.Read(b[:]) // crypto/rand.Read never fails on Linux; it panics itself if it could
	return base64.RawURLEncoding.EncodeToString(b[:])
}

// PersonToPerson reports whether the call connects two people rather than a
// caller and an agent.
func (c *Call) PersonToPerson() bool { return !c.ReceiverNumber.IsZero() }

// Ring moves INITIATING to RINGING.
func (c *Call) Ring() error { return c.transition(StatusRinging, time.Time{}, "") }

// Connect moves RINGING to CONNECTING: signaling has started.
func (c *Call) Connect() error { return c.transition(StatusConnecting, time.Time{}, "") }

// Start moves CONNECTING to IN_PROGRESS: media is flowing.
func (c *Call) Start(now time.Time) error { return c.transition(StatusInProgress, now, "") }

// End hangs up a live call, recording why.
func (c *Call) End(now time.Time, reason string) error {
	return c.transition(StatusEnded, now, reason)
}

// Fail marks a live call as FAILED, recording why: it never got to
// IN_PROGRESS, or the runtime broke it.
func (c *Call) Fail(now time.Time, reason string) error {
	return c.transition(StatusFailed, now, reason)
}

func (c *Call) transition(next Status, now time.Time, reason string) error {
	if !c.Status.CanTransition(next) {
		return &TransitionError{From: c.Status, To: next}
	}
	c.Status = next
	switch next {
	case StatusInProgress:
		c.ConnectedAt = now.UTC()
	case StatusEnded, StatusFailed:
		c.EndedAt = now.UTC()
		c.EndReason = reason
	}
	return nil
}
