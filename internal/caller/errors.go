package caller

import "errors"

// ErrClosed is the Socket.IO connection closing under a call.
var ErrClosed = errors.New("signaling connection closed")

// ServerError is an `error` event from the server.
type ServerError struct{ Code, Message string }

// Error returns the server's code and message.
func (e *ServerError) Error() string { return "signaling error " + e.Code + ": " + e.Message }
