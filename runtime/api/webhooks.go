package api

import (
	"context"
	"errors"
	"fmt"
	"net/http"

	"github.com/gofiber/fiber/v2"
	"github.com/google/uuid"

	"github.com/parleyhq/parley/runtime/store"
)

// Webhooks lists webhook deliveries and retries failed ones;
// *webhook.Worker implements it.
type Webhooks interface {
	// Deliveries returns a page of deliveries and how many match.
	Deliveries(ctx context.Context, f store.DeliveryFilter) ([]*store.Delivery, int, error)
	// Retry makes a failed delivery pending again, due now
	// (store.ErrNotFound, store.ErrConflict when it is not failed).
	Retry(ctx context.Context, id string) (*store.Delivery, error)
}

// deliveryDTO is a webhook delivery as the API shows it (never its body:
// a call-ended report holds the whole transcript).
type deliveryDTO struct {
	ID            string  `json:"id"`
	EventID       string  `json:"eventId"`
	Event         string  `json:"event"`
	CallID        string  `json:"callId"`
	Agent         string  `json:"agent"`
	URL           string  `json:"url"`
	Status        string  `json:"status"`
	Attempts      int     `json:"attempts"`
	LastError     string  `json:"lastError,omitempty"`
	CreatedAt     string  `json:"createdAt"`
	NextAttemptAt *string `json:"nextAttemptAt,omitempty"`
	FinishedAt    *string `json:"finishedAt,omitempty"`
}

func toDeliveryDTO(d *store.Delivery) deliveryDTO {
	return deliveryDTO{
		ID: d.ID, EventID: d.EventID, Event: d.Event, CallID: d.CallID, Agent: d.Agent, URL: d.URL,
		Status: string(d.Status), Attempts: d.Attempts, LastError: d.LastError, CreatedAt: iso(d.CreatedAt),
		NextAttemptAt: isoPtr(d.NextAttemptAt), FinishedAt: isoPtr(d.FinishedAt),
	}
}

type deliveriesData struct {
	Deliveries []deliveryDTO `json:"deliveries"`
	Pagination pagination    `json:"pagination"`
}

type deliveryData struct {
	Delivery deliveryDTO `json:"delivery"`
}

func (s *server) listDeliveries(c *fiber.Ctx) error {
	if s.deps.Webhooks == nil {
		return newError(http.StatusNotFound, CodeNotFound, "webhooks are not served by this runtime")
	}
	f := store.DeliveryFilter{Agent: c.Query("agent"), Status: store.DeliveryStatus(c.Query("status"))}
	if f.Status != "" && !f.Status.Valid() {
		return newError(http.StatusBadRequest, CodeValidation, fmt.Sprintf("status: %q is not one of pending, delivered, failed", clip(c.Query("status"), 64)))
	}
	page, err := queryInt(c, "page", 1, 1, 1_000_000)
	if err != nil {
		return err
	}
	if f.Limit, err = queryInt(c, "limit", defaultPageSize, 1, store.MaxPageSize); err != nil {
		return err
	}
	f.Offset = (page - 1) * f.Limit
	ds, total, err := s.deps.Webhooks.Deliveries(c.UserContext(), f)
	if err != nil {
		return fmt.Errorf("list deliveries: %w", err)
	}
	out := deliveriesData{Deliveries: make([]deliveryDTO, 0, len(ds)), Pagination: pagination{Page: page, Limit: f.Limit, Total: total}}
	for _, d := range ds {
		out.Deliveries = append(out.Deliveries, toDeliveryDTO(d))
	}
	return ok(c, http.StatusOK, out)
}

func (s *server) retryDelivery(c *fiber.Ctx) error {
	if s.deps.Webhooks == nil {
		return newError(http.StatusNotFound, CodeNotFound, "webhooks are not served by this runtime")
	}
	id := c.Params("id")
	u, err := uuid.Parse(id)
	if err != nil || len(id) != 36 {
		return newError(http.StatusBadRequest, CodeValidation, fmt.Sprintf("id: %q is not a delivery id (a UUID)", clip(id, 64)))
	}
	d, err := s.deps.Webhooks.Retry(c.UserContext(), u.String())
	switch {
	case errors.Is(err, store.ErrNotFound):
		return newError(http.StatusNotFound, CodeNotFound, "delivery not found")
	case errors.Is(err, store.ErrConflict):
		return newError(http.StatusConflict, CodeConflict, "only a failed delivery can be retried; this one is pending or delivered")
	case err != nil:
		return fmt.Errorf("retry delivery: %w", err)
	}
	return ok(c, http.StatusOK, deliveryData{Delivery: toDeliveryDTO(d)})
}
