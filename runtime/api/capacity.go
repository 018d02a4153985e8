package api

import (
	"errors"
	"fmt"
	"math"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/gofiber/fiber/v2"

	"github.com/parleyhq/parley/runtime/service"
)

// processRetryAfter is what a refused conversation/process request is told
// to wait: one request takes a few seconds.
const processRetryAfter = 2 * time.Second

// drainRetryAfter is what a call refused during shutdown is told to wait:
// about as long as a restart takes, or for the load balancer to move on.
const drainRetryAfter = 10 * time.Second

// unavailableRetryAfter is what a call refused while the database or the
// bus is down is told to wait.
const unavailableRetryAfter = 5 * time.Second

// slots bounds the requests of one kind in flight. Taking a slot never
// waits: a full server answers at once rather than queue work it cannot
// start.
type slots chan struct{}

func newSlots(n int) slots { return make(slots, max(n, 1)) }

// tryAcquire takes a slot, or returns false when all are taken.
func (s slots) tryAcquire() bool {
	select {
	case s <- struct{}{}:
		return true
	default:
		return false
	}
}

func (s slots) release() { <-s }

// busyProcessing is the error of a conversation/process request past the
// limit.
func busyProcessing(limit int) error {
	return &service.CapacityError{
		Reason:     service.RefusedProcessing,
		Message:    fmt.Sprintf("%d conversation/process requests are already in flight (PARLEY_MAX_PROCESSING); try again shortly", limit),
		RetryAfter: processRetryAfter,
	}
}

// capacityError maps refusals for lack of capacity; it is consulted by
// classify.
func capacityError(err error) (int, string, string, bool) {
	switch {
	case errors.Is(err, service.ErrCapacity):
		var ce *service.CapacityError
		msg := err.Error()
		if errors.As(err, &ce) {
			msg = ce.Message
		}
		return http.StatusServiceUnavailable, CodeCapacity, msg, true
	case errors.Is(err, service.ErrDraining):
		return http.StatusServiceUnavailable, CodeShuttingDown, service.ErrDraining.Error() + "; try again shortly", true
	case errors.Is(err, service.ErrUnavailable):
		return http.StatusServiceUnavailable, CodeUnavailable, strings.TrimPrefix(err.Error(), "initiate: ") + "; try again shortly", true
	}
	return 0, "", "", false
}

// setRetryAfter sets the Retry-After header (whole seconds, at least 1) of
// a refusal that says when to try again.
func setRetryAfter(c *fiber.Ctx, err error) {
	var d time.Duration
	var ce *service.CapacityError
	switch {
	case errors.As(err, &ce):
		d = ce.RetryAfter
	case errors.Is(err, service.ErrDraining):
		d = drainRetryAfter
	case errors.Is(err, service.ErrUnavailable):
		d = unavailableRetryAfter
	default:
		return
	}
	c.Set(fiber.HeaderRetryAfter, strconv.Itoa(int(max(1, math.Ceil(d.Seconds())))))
}
