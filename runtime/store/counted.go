package store

import (
	"context"
	"errors"
	"time"

	"github.com/parleyhq/parley/runtime/call"
)

// Operations as CountErrors reports them (the op label of
// parley_store_errors_total).
const (
	OpCreateCall  = "create_call"
	OpUpdateCall  = "update_call"
	OpReadCall    = "read_call"
	OpListCalls   = "list_calls"
	OpAppendTurns = "append_turns"
	OpReadTurns   = "read_turns"
	OpDeleteCalls = "delete_calls"
	OpFailLive    = "fail_live_calls"
	OpPing        = "ping"
	OpWebhooks    = "webhook_deliveries" // every operation on the delivery queue
	OpInstances   = "instances"          // leases and the calls of lost instances
)

// CountErrors returns st with every failed operation reported to count,
// so that a full or broken disk shows in the metrics and not only in the
// log. Answers that are not failures of the store (not found, a conflict,
// a duplicate, a caller that gave up) are not reported. Methods a newer
// Store adds pass through uncounted until they are listed here.
func CountErrors(st Store, count func(op string)) Store {
	return &counted{Store: st, count: count}
}

type counted struct {
	Store
	count func(op string)
}

func (s *counted) check(op string, err error) error {
	if err != nil && !errors.Is(err, ErrNotFound) && !errors.Is(err, ErrConflict) &&
		!errors.Is(err, ErrDuplicate) && !errors.Is(err, context.Canceled) {
		s.count(op)
	}
	return err
}

func (s *counted) CreateCall(ctx context.Context, c *call.Call) error {
	return s.check(OpCreateCall, s.Store.CreateCall(ctx, c))
}

func (s *counted) UpdateCall(ctx context.Context, c *call.Call, prev call.Status) error {
	return s.check(OpUpdateCall, s.Store.UpdateCall(ctx, c, prev))
}

func (s *counted) Call(ctx context.Context, id string) (*call.Call, error) {
	c, err := s.Store.Call(ctx, id)
	return c, s.check(OpReadCall, err)
}

func (s *counted) CallBySession(ctx context.Context, sessionID string) (*call.Call, error) {
	c, err := s.Store.CallBySession(ctx, sessionID)
	return c, s.check(OpReadCall, err)
}

func (s *counted) Calls(ctx context.Context, f CallFilter) ([]*call.Call, int, error) {
	calls, n, err := s.Store.Calls(ctx, f)
	return calls, n, s.check(OpListCalls, err)
}

func (s *counted) AppendTurns(ctx context.Context, callID string, turns ...*Turn) error {
	return s.check(OpAppendTurns, s.Store.AppendTurns(ctx, callID, turns...))
}

func (s *counted) Turns(ctx context.Context, callID string) ([]*Turn, error) {
	t, err := s.Store.Turns(ctx, callID)
	return t, s.check(OpReadTurns, err)
}

func (s *counted) FailLiveCalls(ctx context.Context, owners []string, at time.Time, reason string) (int, error) {
	n, err := s.Store.FailLiveCalls(ctx, owners, at, reason)
	return n, s.check(OpFailLive, err)
}

func (s *counted) RenewLease(ctx context.Context, id string, started, until time.Time) error {
	return s.check(OpInstances, s.Store.RenewLease(ctx, id, started, until))
}

func (s *counted) DropLease(ctx context.Context, id string) error {
	return s.check(OpInstances, s.Store.DropLease(ctx, id))
}

func (s *counted) FailLostCalls(ctx context.Context, now time.Time, reason string) ([]string, []string, error) {
	lost, failed, err := s.Store.FailLostCalls(ctx, now, reason)
	return lost, failed, s.check(OpInstances, err)
}

func (s *counted) Ping(ctx context.Context) error {
	return s.check(OpPing, s.Store.Ping(ctx))
}

func (s *counted) LiveCallsBefore(ctx context.Context, statuses []call.Status, before time.Time, limit int) ([]*call.Call, error) {
	calls, err := s.Store.LiveCallsBefore(ctx, statuses, before, limit)
	return calls, s.check(OpListCalls, err)
}

func (s *counted) DeleteCallsBefore(ctx context.Context, before time.Time, limit int) (int, error) {
	n, err := s.Store.DeleteCallsBefore(ctx, before, limit)
	return n, s.check(OpDeleteCalls, err)
}

func (s *counted) EnqueueDeliveries(ctx context.Context, ds ...*Delivery) error {
	return s.check(OpWebhooks, s.Store.EnqueueDeliveries(ctx, ds...))
}

func (s *counted) ClaimDeliveries(ctx context.Context, now time.Time, lease time.Duration, limit int) ([]*Delivery, error) {
	ds, err := s.Store.ClaimDeliveries(ctx, now, lease, limit)
	return ds, s.check(OpWebhooks, err)
}

func (s *counted) SaveDelivery(ctx context.Context, d *Delivery) error {
	return s.check(OpWebhooks, s.Store.SaveDelivery(ctx, d))
}

func (s *counted) Deliveries(ctx context.Context, f DeliveryFilter) ([]*Delivery, int, error) {
	ds, n, err := s.Store.Deliveries(ctx, f)
	return ds, n, s.check(OpWebhooks, err)
}

func (s *counted) RetryDelivery(ctx context.Context, id string, at time.Time) (*Delivery, error) {
	d, err := s.Store.RetryDelivery(ctx, id, at)
	return d, s.check(OpWebhooks, err)
}

func (s *counted) DeleteDeliveriesBefore(ctx context.Context, before time.Time, limit int) (int, error) {
	n, err := s.Store.DeleteDeliveriesBefore(ctx, before, limit)
	return n, s.check(OpWebhooks, err)
}
