package api

import (
	"context"
	"errors"
	"log/slog"
	"net/http"

	"github.com/gofiber/fiber/v2"

	"github.com/parleyhq/parley/runtime/agent"
	"github.com/parleyhq/parley/runtime/call"
	"github.com/parleyhq/parley/runtime/provider"
	"github.com/parleyhq/parley/runtime/provider/host"
	"github.com/parleyhq/parley/runtime/service"
	"github.com/parleyhq/parley/runtime/store"
)

// Error codes of the error envelope. Clients branch on these, not on text.
const (
	CodeValidation       = "VALIDATION_ERROR"
	CodeNotFound         = "NOT_FOUND"
	CodeInvalidState     = "INVALID_STATE_TRANSITION"
	CodeConflict         = "CONFLICT"
	CodeTooLarge         = "PAYLOAD_TOO_LARGE"
	CodeUnsupportedMedia = "UNSUPPORTED_MEDIA_TYPE"
	CodeRateLimited      = "RATE_LIMITED"
	CodeAgentUnavailable = "AGENT_UNAVAILABLE"
	CodeCallNotLive      = "CALL_NOT_LIVE"
	CodeProvider         = "PROVIDER_ERROR"
	CodeProviderDown     = "PROVIDER_UNAVAILABLE"
	CodeMethodNotAllowed = "METHOD_NOT_ALLOWED"
	CodeTimeout          = "TIMEOUT"
	CodeInternal         = "INTERNAL_ERROR"
	CodeUnauthorized     = "UNAUTHORIZED"
	CodeForbidden        = "FORBIDDEN"
	CodeTokenUsed        = "TOKEN_USED"
	CodeTooManyConns     = "TOO_MANY_CONNECTIONS"
	// CodeCapacity: the runtime is full (PARLEY_MAX_CALLS, a plugin's
	// stream limit, PARLEY_MAX_PROCESSING); the response has Retry-After.
	CodeCapacity = "CAPACITY_EXCEEDED"
	// CodeShuttingDown: the runtime is draining and takes no new calls;
	// the response has Retry-After.
	CodeShuttingDown = "SHUTTING_DOWN"
	// CodeUnavailable: something a new call needs (the database, the
	// bus between instances) is down; the message says what, and the
	// response has Retry-After.
	CodeUnavailable = "SERVICE_UNAVAILABLE"
)

// envelope is the body of every API response, as the original system sends it.
type envelope struct {
	Success bool       `json:"success"`
	Data    any        `json:"data,omitempty"`
	Error   *errorBody `json:"error,omitempty"`
}

type errorBody struct {
	Code    string `json:"code"`
	Message string `json:"message"`
}

// apiError is an error that already knows its status and code.
type apiError struct {
	status  int
	code    string
	message string
}

func (e *apiError) Error() string { return e.message }

func newError(status int, code, message string) error {
	return &apiError{status: status, code: code, message: message}
}

func ok(c *fiber.Ctx, status int, data any) error {
	return c.Status(status).JSON(envelope{Success: true, Data: data})
}

// classify maps any error to the status, code and message a client sees.
// It is the one place where domain errors become HTTP; internals never leak:
// an unknown error is a 500 with a generic message.
func classify(err error) (status int, code, message string) {
	var ae *apiError
	var fe *fiber.Error
	var ve *service.ValidationError
	if status, code, msg, found := audioError(err); found {
		return status, code, msg
	}
	if status, code, msg, found := providerError(err); found {
		return status, code, msg
	}
	if status, code, msg, found := capacityError(err); found {
		return status, code, msg
	}
	switch {
	case errors.As(err, &ae):
		return ae.status, ae.code, ae.message
	case errors.As(err, &ve):
		return http.StatusBadRequest, CodeValidation, ve.Error()
	case errors.Is(err, call.ErrInvalidTransition):
		var te *call.TransitionError
		errors.As(err, &te)
		return http.StatusConflict, CodeInvalidState, te.Error()
	case errors.Is(err, service.ErrPromptOverride):
		return http.StatusForbidden, CodeForbidden, err.Error()
	case errors.Is(err, service.ErrTokenUsed):
		return http.StatusConflict, CodeTokenUsed, err.Error()
	case errors.Is(err, service.ErrCallNotLive):
		return http.StatusConflict, CodeCallNotLive, err.Error()
	case errors.Is(err, store.ErrNotFound):
		return http.StatusNotFound, CodeNotFound, "call not found"
	case errors.Is(err, store.ErrConflict):
		return http.StatusConflict, CodeConflict, "the call was changed by another request; fetch it and try again"
	case errors.Is(err, agent.ErrUnavailable), errors.Is(err, agent.ErrInvalid):
		return http.StatusServiceUnavailable, CodeAgentUnavailable, err.Error()
	case errors.Is(err, context.DeadlineExceeded):
		return http.StatusServiceUnavailable, CodeTimeout, "the request took too long; try again"
	case errors.As(err, &fe):
		return fe.Code, fiberCode(fe.Code), fiberMessage(fe)
	}
	return http.StatusInternalServerError, CodeInternal, "internal error; the request id in X-Request-ID helps the operator find it in the log"
}

func fiberCode(status int) string {
	switch status {
	case http.StatusNotFound:
		return CodeNotFound
	case http.StatusMethodNotAllowed:
		return CodeMethodNotAllowed
	case http.StatusRequestEntityTooLarge:
		return CodeTooLarge
	case http.StatusUnsupportedMediaType:
		return CodeUnsupportedMedia
	case http.StatusTooManyRequests:
		return CodeRateLimited
	case http.StatusUnauthorized:
		return CodeUnauthorized
	case http.StatusForbidden:
		return CodeForbidden
	case http.StatusRequestTimeout:
		return CodeTimeout
	}
	if status >= 500 {
		return CodeInternal
	}
	return CodeValidation
}

func fiberMessage(fe *fiber.Error) string {
	switch fe.Code {
	case http.StatusNotFound:
		return "no such route; see /api/docs"
	case http.StatusRequestEntityTooLarge:
		return "request body is too large"
	}
	return fe.Message
}

// errorHandler is Fiber's error handler: every error a handler or Fiber
// itself returns leaves as the error envelope.
func errorHandler(log *slog.Logger) fiber.ErrorHandler {
	return func(c *fiber.Ctx, err error) error {
		status, code, msg := classify(err)
		setRetryAfter(c, err)
		if status >= 500 && code != CodeCapacity && code != CodeShuttingDown {
			log.ErrorContext(c.UserContext(), "request failed", "request_id", requestID(c), "method", c.Method(), "path", c.Path(), "error", err)
		}
		return c.Status(status).JSON(envelope{Error: &errorBody{Code: code, Message: msg}})
	}
}

// providerError maps what providers and their plugins return. Provider
// messages are shown: they say which plugin failed and why, and never hold
// secrets (plugins keep keys out of their errors).
func providerError(err error) (int, string, string, bool) {
	switch {
	case errors.Is(err, provider.ErrUnauthorized):
		return http.StatusBadGateway, CodeProvider, "the AI provider refused the API key: " + err.Error(), true
	case errors.Is(err, provider.ErrRateLimited):
		return http.StatusServiceUnavailable, CodeProviderDown, "the AI provider is rate limiting; try again shortly: " + err.Error(), true
	case errors.Is(err, provider.ErrUnavailable), errors.Is(err, provider.ErrUnsupported):
		return http.StatusServiceUnavailable, CodeProviderDown, err.Error(), true
	case errors.Is(err, provider.ErrTimeout):
		return http.StatusGatewayTimeout, CodeTimeout, err.Error(), true
	case errors.Is(err, host.ErrBadResponse), errors.Is(err, provider.ErrInvalidInput):
		return http.StatusBadGateway, CodeProvider, err.Error(), true
	case errors.Is(err, provider.ErrInvalidOptions):
		return http.StatusServiceUnavailable, CodeAgentUnavailable, "the agent's provider options are invalid: " + err.Error(), true
	}
	return 0, "", "", false
}
