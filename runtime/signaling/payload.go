package signaling

import (
	"fmt"
	"strings"
)

// Error codes sent in the `error` event and in negative acks.
const (
	CodeInvalidPayload     = "INVALID_PAYLOAD"
	CodeSessionNotFound    = "SESSION_NOT_FOUND"
	CodeSessionNotJoinable = "SESSION_NOT_JOINABLE"
	CodeNotJoined          = "NOT_JOINED"
	CodeAlreadyJoined      = "ALREADY_JOINED"
	CodePeerIDTaken        = "PEER_ID_TAKEN"
	CodeForbidden          = "FORBIDDEN"
	CodeInternal           = "INTERNAL"
	// CodeOfferRejected: the agent cannot answer the offer (no common
	// codec, malformed SDP).
	CodeOfferRejected = "OFFER_REJECTED"
	// CodeBusy: another socket is the caller of the agent session (join
	// with observer: true to watch), or the call's audio already uses the
	// other transport.
	CodeBusy = "BUSY"
	// CodeUnauthorized: key mode, and no valid API key or call token came
	// with the connection or the join.
	CodeUnauthorized = "UNAUTHORIZED"
	// CodeReservedPeerID: the peerId is the runtime's own ("agent").
	CodeReservedPeerID = "RESERVED_PEER_ID"
	// CodeSessionFull: the session has as many peers as it may have.
	CodeSessionFull = "SESSION_FULL"
	// CodeRateLimited: the connection sent more events or bytes per second
	// than allowed; it is disconnected.
	CodeRateLimited = "RATE_LIMITED"
	// CodeTooManyCandidates: a peer sent more ICE candidates than allowed.
	CodeTooManyCandidates = "TOO_MANY_CANDIDATES"
	// CodeSampleRate: audio-data changed its sampleRate too often.
	CodeSampleRate = "SAMPLE_RATE_CHANGE"
)

// maxCredentialLen bounds the token and resumeToken of join-session.
const maxCredentialLen = 4096

// maxIDLen bounds sessionId and peerId.
const maxIDLen = 128

// Error is the payload of the `error` event: {code, message}.
type Error struct {
	Code    string `json:"code"`
	Message string `json:"message"`
}

func (e *Error) Error() string { return e.Code + ": " + e.Message }

func (e *Error) payload() map[string]any {
	return map[string]any{"code": e.Code, "message": e.Message}
}

func errorf(code, format string, args ...any) *Error {
	return &Error{Code: code, Message: fmt.Sprintf(format, args...)}
}

// Errorf returns an Error with code and a formatted message; an Agent
// returns one to tell the client what went wrong.
func Errorf(code, format string, args ...any) *Error { return errorf(code, format, args...) }

// message is a validated client event.
type message struct {
	SessionID string
	PeerID    string
	// Field is the relayed field name (offer, answer, candidate); empty for
	// join-session and leave-session.
	Field string
	Value any
	// Join only: the credential (API key or call token), whether the
	// socket joins as an observer, and the resume token of a caller taking
	// its call back.
	Token    string
	Observer bool
	Resume   string
}

// relayField maps the relayed events to the field they carry.
var relayField = map[string]string{
	"offer":         "offer",
	"answer":        "answer",
	"ice-candidate": "candidate",
}

// parseMessage validates the first argument of a client event. event is one
// of join-session, leave-session, offer, answer, ice-candidate.
func parseMessage(event string, args []any) (message, *Error) {
	if len(args) == 0 {
		return message{}, errorf(CodeInvalidPayload, "%s: payload missing", event)
	}
	obj, ok := args[0].(map[string]any)
	if !ok {
		return message{}, errorf(CodeInvalidPayload, "%s: payload must be an object", event)
	}
	var m message
	var err *Error
	if m.SessionID, err = idField(event, obj, "sessionId"); err != nil {
		return message{}, err
	}
	if m.PeerID, err = idField(event, obj, "peerId"); err != nil {
		return message{}, err
	}
	if event == "audio-data" {
		a, err := parseAudioData(obj)
		if err != nil {
			return message{}, err
		}
		m.Value = a
		return m, nil
	}
	if event == "join-session" {
		return parseJoin(obj, m)
	}
	field, relayed := relayField[event]
	if !relayed {
		return m, nil
	}
	v, present := obj[field]
	if !present || v == nil {
		return message{}, errorf(CodeInvalidPayload, "%s: %s is required", event, field)
	}
	if _, isObj := v.(map[string]any); !isObj {
		return message{}, errorf(CodeInvalidPayload, "%s: %s must be an object", event, field)
	}
	m.Field, m.Value = field, v
	return m, nil
}

func idField(event string, obj map[string]any, name string) (string, *Error) {
	v, present := obj[name]
	if !present {
		return "", errorf(CodeInvalidPayload, "%s: %s is required", event, name)
	}
	s, ok := v.(string)
	if !ok {
		return "", errorf(CodeInvalidPayload, "%s: %s must be a string", event, name)
	}
	if s == "" || len(s) > maxIDLen {
		return "", errorf(CodeInvalidPayload, "%s: %s must be 1 to %d characters", event, name, maxIDLen)
	}
	return s, nil
}

// parseJoin reads join-session's optional fields: token, resumeToken
// (strings) and observer (a boolean).
func parseJoin(obj map[string]any, m message) (message, *Error) {
	const event = "join-session"
	var err *Error
	if m.Token, err = optionalString(event, obj, "token"); err != nil {
		return message{}, err
	}
	if m.Resume, err = optionalString(event, obj, "resumeToken"); err != nil {
		return message{}, err
	}
	switch v := obj["observer"].(type) {
	case nil:
	case bool:
		m.Observer = v
	default:
		return message{}, errorf(CodeInvalidPayload, "%s: observer must be true or false", event)
	}
	return m, nil
}

func optionalString(event string, obj map[string]any, name string) (string, *Error) {
	v, present := obj[name]
	if !present || v == nil {
		return "", nil
	}
	s, ok := v.(string)
	if !ok || len(s) > maxCredentialLen {
		return "", errorf(CodeInvalidPayload, "%s: %s must be a string of at most %d characters", event, name, maxCredentialLen)
	}
	return s, nil
}

// reservedPeerID reports whether id would pass for the runtime's agent: a
// client may not use "agent" in any case, with or without spaces around.
func reservedPeerID(id string) bool {
	return strings.EqualFold(strings.TrimSpace(id), AgentPeerID)
}
