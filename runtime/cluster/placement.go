package cluster

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"sync"
	"time"

	"github.com/parleyhq/parley/runtime/bus"
	"github.com/parleyhq/parley/runtime/call"
	"github.com/parleyhq/parley/runtime/service"
)

// Placement: each instance tells the others its load every loadEvery; a
// new agent call is created on the instance with the most room, this one
// unless another has at least placeMargin more (so that calls are not
// bounced between instances of about the same load). The instance that
// took the POST asks the chosen one to create it and answers with the
// stored call; if that fails, it creates the call itself (and its own
// admission decides).

const (
	loadEvery = 2 * time.Second
	// loadStale is when a load report is too old to place calls by.
	loadStale = 3 * loadEvery
	// placeMargin is how much more room another instance needs.
	placeMargin = 2
	// unlimited stands for the room of an instance without a call cap.
	unlimited = 1 << 20
	// maxInstances bounds the other instances' load reports kept (stale
	// ones are dropped when calls are placed).
	maxInstances = 1024
)

// Load is an instance's load, as it tells the others.
type Load struct {
	Instance string `json:"instance"`
	Live     int    `json:"live"`
	Max      int    `json:"max"` // 0: no cap
	Draining bool   `json:"draining,omitempty"`
}

// room is how many more calls l can take.
func (l Load) room() int {
	if l.Draining {
		return 0
	}
	if l.Max <= 0 {
		return unlimited - l.Live
	}
	return l.Max - l.Live
}

type loadReport struct {
	Load
	at time.Time
}

// loads is what this instance knows of the others' load.
type loads struct {
	mu   sync.Mutex
	seen map[string]loadReport
}

func loadSubject() string { return bus.Subject("load") }

func createSubject(instance string) string { return bus.Subject("calls", instance, "create") }

// RunLoad publishes this instance's load (from load) every 2 s and takes
// the others', until ctx ends. Its goroutine belongs to the caller (cmd's
// errgroup); a panic in one round is logged and the next goes on.
func (n *Node) RunLoad(ctx context.Context, load func() Load) error {
	stop, err := n.bus.Subscribe(loadSubject(), func(m bus.Msg) {
		var l Load
		if json.Unmarshal(m.Data, &l) != nil || l.Instance == "" || l.Instance == n.self {
			return
		}
		n.loads.mu.Lock()
		if _, known := n.loads.seen[l.Instance]; known || len(n.loads.seen) < maxInstances {
			n.loads.seen[l.Instance] = loadReport{Load: l, at: time.Now()}
		}
		n.loads.mu.Unlock()
	})
	if err != nil {
		return fmt.Errorf("cluster: %w", err)
	}
	defer stop()
	t := time.NewTicker(loadEvery)
	defer t.Stop()
	for {
		n.publishLoad(load)
		select {
		case <-ctx.Done():
			return nil
		case <-t.C:
		}
	}
}

func (n *Node) publishLoad(load func() Load) {
	defer func() {
		if r := recover(); r != nil {
			n.log.Error("load report panic", "panic", r)
		}
	}()
	l := load()
	l.Instance = n.self
	data, err := json.Marshal(l)
	if err == nil {
		err = n.bus.Publish(loadSubject(), data)
	}
	if err != nil {
		n.log.Warn("load not reported", "err", err)
	}
}

// Place implements service.Placer: the instance with the most room, this
// one unless another has placeMargin more. A choice counts at once
// against the chosen instance's reported load, so that calls created
// before its next report do not all go there.
func (n *Node) Place(self service.Load) string {
	mine := Load{Live: self.Live, Max: self.Max, Draining: self.Draining}.room()
	best, bestRoom := n.self, mine
	n.loads.mu.Lock()
	defer n.loads.mu.Unlock()
	now := time.Now()
	for id, r := range n.loads.seen {
		if now.Sub(r.at) > loadStale {
			delete(n.loads.seen, id)
			continue
		}
		if room := r.room(); room > bestRoom || (room == bestRoom && best != n.self && id < best) {
			best, bestRoom = id, room
		}
	}
	if best == n.self || bestRoom < mine+placeMargin {
		return n.self
	}
	r := n.loads.seen[best]
	r.Live++
	n.loads.seen[best] = r
	return best
}

// created is the answer to a create request: the new call's id, or why
// not.
type created struct {
	CallID string `json:"callId,omitempty"`
	Error  string `json:"error,omitempty"`
	// Kind says what Error is: capacity, draining, unavailable,
	// token_used, or empty for anything else.
	Kind         string `json:"kind,omitempty"`
	Reason       string `json:"reason,omitempty"` // a capacity refusal's
	RetryAfterMs int64  `json:"retryAfterMs,omitempty"`
}

// createRequest is service.InitiateRequest on the bus.
type createRequest struct {
	CallerNumber   string         `json:"callerNumber"`
	ReceiverNumber string         `json:"receiverNumber,omitempty"`
	Agent          string         `json:"agent,omitempty"`
	TokenID        string         `json:"tokenId,omitempty"`
	Variables      map[string]any `json:"variables,omitempty"`
}

// Create implements service.Placer: it asks instance to create the call
// and reads it back with get (the shared store).
func (n *Node) Create(ctx context.Context, instance string, req service.InitiateRequest) (*call.Call, error) {
	data, err := json.Marshal(createRequest{CallerNumber: req.CallerNumber, ReceiverNumber: req.ReceiverNumber,
		Agent: req.Agent, TokenID: req.TokenID, Variables: req.Variables})
	if err != nil {
		return nil, fmt.Errorf("cluster: create on %s: %w", instance, err)
	}
	ctx, cancel := context.WithTimeout(ctx, forwardTimeout)
	defer cancel()
	raw, err := n.bus.Request(ctx, createSubject(instance), data)
	if err != nil {
		return nil, fmt.Errorf("cluster: create on %s: %w", instance, err)
	}
	var a created
	if err := json.Unmarshal(raw, &a); err != nil {
		return nil, fmt.Errorf("cluster: create on %s: %w", instance, err)
	}
	switch {
	case a.Error == "":
		if n.get == nil {
			return nil, errors.New("cluster: create: no store to read the call from")
		}
		return n.get(ctx, a.CallID)
	case a.Kind == "capacity":
		return nil, &service.CapacityError{Reason: a.Reason, Message: a.Error, RetryAfter: time.Duration(a.RetryAfterMs) * time.Millisecond}
	case a.Kind == "draining":
		return nil, service.ErrDraining
	case a.Kind == "unavailable":
		return nil, fmt.Errorf("%w: %s", service.ErrUnavailable, a.Error)
	case a.Kind == "token_used":
		return nil, service.ErrTokenUsed
	}
	return nil, fmt.Errorf("cluster: create on %s: %s", instance, a.Error)
}

// ServeCreate creates, with initiate, the calls other instances place
// here. Call the returned function to stop.
func (n *Node) ServeCreate(initiate func(context.Context, service.InitiateRequest) (*call.Call, error)) (func(), error) {
	stop, err := n.bus.Subscribe(createSubject(n.self), func(m bus.Msg) {
		var req createRequest
		dec := json.NewDecoder(bytes.NewReader(m.Data))
		dec.UseNumber() // variables' numbers as the API passes them
		var a created
		if err := dec.Decode(&req); err != nil {
			a.Error = "bad create request: " + err.Error()
		} else {
			ctx, cancel := context.WithTimeout(context.Background(), forwardTimeout)
			c, err := initiate(service.Placed(ctx), service.InitiateRequest{CallerNumber: req.CallerNumber, ReceiverNumber: req.ReceiverNumber,
				Agent: req.Agent, TokenID: req.TokenID, Variables: req.Variables})
			cancel()
			if err == nil {
				a.CallID = c.ID
			} else {
				a = refusal(err)
			}
		}
		data, err := json.Marshal(a)
		if err == nil {
			err = m.Respond(data)
		}
		if err != nil {
			n.log.Warn("create answer not sent", "err", err)
		}
	})
	if err != nil {
		return nil, fmt.Errorf("cluster: %w", err)
	}
	return stop, nil
}

// refusal is err as a create answer.
func refusal(err error) created {
	a := created{Error: err.Error()}
	var ce *service.CapacityError
	switch {
	case errors.As(err, &ce):
		a.Kind, a.Error, a.Reason, a.RetryAfterMs = "capacity", ce.Message, ce.Reason, ce.RetryAfter.Milliseconds()
	case errors.Is(err, service.ErrDraining):
		a.Kind = "draining"
	case errors.Is(err, service.ErrUnavailable):
		a.Kind = "unavailable"
	case errors.Is(err, service.ErrTokenUsed):
		a.Kind = "token_used"
	}
	return a
}
