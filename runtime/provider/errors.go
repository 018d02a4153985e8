package provider

import (
	"context"
	"errors"

	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"
)

// Sentinel errors of providers. They survive the process boundary: a plugin
// returns (or wraps) one, the runtime's errors.Is matches it.
var (
	// ErrInvalidOptions means an agent's options for a provider are wrong.
	ErrInvalidOptions = errors.New("invalid provider options")
	// ErrInvalidInput means the request itself cannot be served (empty
	// text, audio in an unusable rate ...).
	ErrInvalidInput = errors.New("invalid provider input")
	// ErrUnauthorized means the provider refused the credentials (for
	// OpenAI: an invalid API key).
	ErrUnauthorized = errors.New("provider refused the credentials")
	// ErrRateLimited means the provider is throttling and retries ran out.
	ErrRateLimited = errors.New("provider rate limit")
	// ErrUnavailable means the provider cannot answer now: its plugin
	// process is not running, or its upstream service is down.
	ErrUnavailable = errors.New("provider unavailable")
	// ErrTimeout means the provider did not answer in time.
	ErrTimeout = errors.New("provider timed out")
	// ErrUnsupported means the plugin does not serve that capability.
	ErrUnsupported = errors.New("not supported by this provider")
	// ErrInternal means the plugin broke on a request (it panicked: a bug
	// in the plugin). The plugin process stays up for other requests.
	ErrInternal = errors.New("provider internal error")
)

var codeOf = []struct {
	err  error
	code codes.Code
}{
	{ErrInvalidOptions, codes.FailedPrecondition},
	{ErrInvalidInput, codes.InvalidArgument},
	{ErrUnauthorized, codes.Unauthenticated},
	{ErrRateLimited, codes.ResourceExhausted},
	{ErrUnavailable, codes.Unavailable},
	{ErrTimeout, codes.DeadlineExceeded},
	{ErrUnsupported, codes.Unimplemented},
	{ErrInternal, codes.Internal},
	{context.DeadlineExceeded, codes.DeadlineExceeded},
	{context.Canceled, codes.Canceled},
}

// toStatus turns a plugin's error into a gRPC status error that keeps its
// sentinel as the code.
func toStatus(err error) error {
	if err == nil {
		return nil
	}
	if _, ok := status.FromError(err); ok {
		return err
	}
	for _, c := range codeOf {
		if errors.Is(err, c.err) {
			return status.Error(c.code, err.Error())
		}
	}
	return status.Error(codes.Unknown, err.Error())
}

// Error is an error that came back from a plugin.
type Error struct {
	Code    codes.Code
	Message string
}

// Error implements error.
func (e *Error) Error() string { return e.Message }

// Is matches the sentinel that the gRPC code stands for, so errors.Is works
// across the process boundary.
func (e *Error) Is(target error) bool {
	for _, c := range codeOf {
		if c.code == e.Code && c.err == target {
			return true
		}
	}
	return false
}

// fromStatus turns an error returned by a gRPC call into an *Error (or the
// context's error when the caller gave up).
func fromStatus(ctx context.Context, err error) error {
	if err == nil {
		return nil
	}
	if ctxErr := ctx.Err(); ctxErr != nil {
		return ctxErr
	}
	s, ok := status.FromError(err)
	if !ok {
		return err
	}
	code, msg := s.Code(), s.Message()
	switch code {
	case codes.Unavailable:
		msg = "plugin process is not answering: " + msg
	case codes.Canceled:
		// The caller did not cancel (checked above): the connection to the
		// plugin was torn down under the call, because its process died.
		code, msg = codes.Unavailable, "plugin connection closed: "+msg
	}
	return &Error{Code: code, Message: msg}
}
