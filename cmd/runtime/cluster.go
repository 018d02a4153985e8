package main

import (
	"context"
	"errors"
	"log/slog"

	"github.com/parleyhq/parley/runtime/bus"
	"github.com/parleyhq/parley/runtime/call"
	"github.com/parleyhq/parley/runtime/cluster"
	"github.com/parleyhq/parley/runtime/config"
	"github.com/parleyhq/parley/runtime/service"
)

// member is this runtime as one of several instances: its bus connection
// and node, both nil without PARLEY_BUS_URL.
type member struct {
	bus   *bus.Bus
	node  *cluster.Node
	stops []func() // subscriptions, undone in reverse at Close
}

// joinCluster connects to the bus cfg names, if any, and claims the
// instance id there: a running instance with the same id makes it fail.
func joinCluster(ctx context.Context, cfg *config.Config, instance string, log *slog.Logger) (*member, error) {
	url := cfg.BusURL.Reveal()
	if url == "" {
		return &member{}, nil
	}
	b, err := bus.Connect(ctx, url, "parley "+instance, log)
	if err != nil {
		return nil, err
	}
	node := cluster.New(b, instance, log)
	unclaim, err := node.Claim(ctx)
	if err != nil {
		return nil, errors.Join(err, b.Close())
	}
	return &member{bus: b, node: node, stops: []func(){unclaim}}, nil
}

// observe gives the live side the status changes of the calls this
// instance holds, wherever they were made: with a bus, a change made here
// of another instance's call goes there, and the changes others make of
// this instance's calls come in.
func (m *member) observe(calls *service.Calls, live func(call.Call)) error {
	if m.node == nil {
		calls.Observe(live)
		return nil
	}
	calls.Observe(m.node.Forward(live))
	stop, err := m.node.Serve(calls.Get, func(c call.Call) {
		calls.ChangedElsewhere(c)
		live(c)
	})
	if err != nil {
		return err
	}
	m.stops = append(m.stops, stop)
	// The calls other instances place here.
	if stop, err = m.node.ServeCreate(calls.Initiate); err != nil {
		return err
	}
	m.stops = append(m.stops, stop)
	return nil
}

// load is what this instance tells the others of its load.
func (m *member) load(calls *service.Calls) func() cluster.Load {
	return func() cluster.Load {
		l := calls.Load()
		return cluster.Load{Live: l.Live, Max: l.Max, Draining: l.Draining}
	}
}

// busHealth is the bus's check, for /readyz and for new calls: nil (no
// check) without a bus.
func (m *member) busHealth() func() error {
	if m.bus == nil {
		return nil
	}
	return m.bus.Healthy
}

// Close leaves the bus.
func (m *member) Close() error {
	if m.bus == nil {
		return nil
	}
	for i := len(m.stops) - 1; i >= 0; i-- {
		m.stops[i]()
	}
	return m.bus.Close()
}
