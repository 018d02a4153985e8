package call

import "fmt"

// Status is where a call is in its life. The zero value is StatusUnknown.
//
//	INITIATING -> RINGING -> CONNECTING -> IN_PROGRESS -> ENDED
//	     |            |           |              |
//	   FAILED       FAILED      FAILED         FAILED
//
// A hang-up ends a call from any live status. A call in progress fails
// only when the runtime breaks it (an internal error); a caller who goes
// away ends it.
type Status int

// The statuses, in the order a call moves through them.
const (
	StatusUnknown Status = iota
	StatusInitiating
	StatusRinging
	StatusConnecting
	StatusInProgress
	StatusEnded
	StatusFailed
)

var statusNames = [...]string{
	StatusUnknown:    "UNKNOWN",
	StatusInitiating: "INITIATING",
	StatusRinging:    "RINGING",
	StatusConnecting: "CONNECTING",
	StatusInProgress: "IN_PROGRESS",
	StatusEnded:      "ENDED",
	StatusFailed:     "FAILED",
}

// Statuses lists every known status, in order, without StatusUnknown.
func Statuses() []Status {
	return []Status{StatusInitiating, StatusRinging, StatusConnecting, StatusInProgress, StatusEnded, StatusFailed}
}

// String returns the status as the API spells it, e.g. "IN_PROGRESS".
func (s Status) String() string {
	if s < 0 || int(s) >= len(statusNames) {
		return statusNames[StatusUnknown]
	}
	return statusNames[s]
}

// ParseStatus reads a status as the API spells it.
func ParseStatus(v string) (Status, error) {
	for _, s := range Statuses() {
		if s.String() == v {
			return s, nil
		}
	}
	return StatusUnknown, fmt.Errorf("unknown call status %q", v)
}

// Terminal reports whether no further transition is possible.
func (s Status) Terminal() bool { return s == StatusEnded || s == StatusFailed }

// Live reports whether the call has started and not yet finished.
func (s Status) Live() bool { return s >= StatusInitiating && s <= StatusInProgress }

// CanTransition reports whether the state machine allows moving from s to next.
func (s Status) CanTransition(next Status) bool {
	switch next {
	case StatusRinging:
		return s == StatusInitiating
	case StatusConnecting:
		return s == StatusRinging
	case StatusInProgress:
		return s == StatusConnecting
	case StatusEnded:
		return s.Live()
	case StatusFailed:
		return s.Live()
	default:
		return false
	}
}

// MarshalText implements encoding.TextMarshaler.
func (s Status) MarshalText() ([]byte, error) { return []byte(s.String()), nil }

// UnmarshalText implements encoding.TextUnmarshaler.
func (s *Status) UnmarshalText(b []byte) error {
	v, err := ParseStatus(string(b))
	if err != nil {
		return err
	}
	*s = v
	return nil
}
