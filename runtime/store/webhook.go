package store

import (
	"context"
	"time"
)

// Webhooks keeps the queue of webhook deliveries: each event for each
// endpoint is a row written when the event happens, so that a restart
// between the event and its delivery loses nothing.
type Webhooks interface {
	// EnqueueDeliveries inserts ds (status pending) in one transaction;
	// ErrNotFound if a delivery's call does not exist, ErrDuplicate if
	// its id does.
	EnqueueDeliveries(ctx context.Context, ds ...*Delivery) error
	// ClaimDeliveries returns up to limit pending deliveries due at now,
	// earliest first, and moves their next attempt to now+lease in the same
	// transaction, so a second claim does not return them while they are
	// being sent; if the sender dies, they are due again after the lease.
	ClaimDeliveries(ctx context.Context, now time.Time, lease time.Duration, limit int) ([]*Delivery, error)
	// SaveDelivery stores d's payload, status, attempts, last error and
	// next attempt; ErrNotFound if it is gone (its call was deleted).
	SaveDelivery(ctx context.Context, d *Delivery) error
	// Deliveries returns one page of deliveries, newest first, and how
	// many match in all.
	Deliveries(ctx context.Context, f DeliveryFilter) ([]*Delivery, int, error)
	// RetryDelivery makes a failed delivery pending again, due at at, with
	// a fresh count of attempts; ErrNotFound if there is no such delivery,
	// ErrConflict if it is not failed.
	RetryDelivery(ctx context.Context, id string, at time.Time) (*Delivery, error)
	// DeleteDeliveriesBefore deletes up to limit delivered or failed
	// deliveries created before before and returns how many. (All of a
	// call's deliveries go with the call.)
	DeleteDeliveriesBefore(ctx context.Context, before time.Time, limit int) (int, error)
}

// DeliveryStatus is where a webhook delivery stands.
type DeliveryStatus string

// The statuses of a delivery.
const (
	DeliveryPending   DeliveryStatus = "pending"
	DeliveryDelivered DeliveryStatus = "delivered"
	DeliveryFailed    DeliveryStatus = "failed"
)

// Valid reports whether s is one of the statuses above.
func (s DeliveryStatus) Valid() bool {
	return s == DeliveryPending || s == DeliveryDelivered || s == DeliveryFailed
}

// Delivery is one event to send to one webhook endpoint.
type Delivery struct {
	ID      string // the delivery's own id (UUID)
	EventID string // the event's id (UUID), the same in every attempt
	Event   string // call-started, call-ended or tool-called
	CallID  string
	Agent   string
	URL     string
	// SecretEnv names the environment variable holding the signing
	// secret: the secret itself is never stored.
	SecretEnv string
	Timeout   time.Duration // of one attempt
	// Payload is the JSON body, the same in every attempt; nil until it is
	// built (a call-ended report is built once the call's turns are in).
	Payload       []byte
	Status        DeliveryStatus
	Attempts      int
	LastError     string // why the last attempt failed; empty after a success
	CreatedAt     time.Time
	NextAttemptAt time.Time // zero once delivered or failed
	FinishedAt    time.Time // when it was delivered or given up
}

// DeliveryFilter selects a page of deliveries.
type DeliveryFilter struct {
	Status DeliveryStatus // empty for any
	Agent  string         // empty for any
	Limit  int            // 1..MaxPageSize
	Offset int
}
