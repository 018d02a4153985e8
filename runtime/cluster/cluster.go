// Package cluster is what the runtime instances sharing one database tell
// each other over the bus, besides signaling (runtime/signaling's
// remote.go): a change of a call's status made on one instance (a REST
// end, a lifetime sweep) reaches the instance holding the call, whose live
// side hangs up its media and tells its clients.
package cluster

import (
	"bytes"
	"context"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"time"

	"github.com/parleyhq/parley/runtime/bus"
	"github.com/parleyhq/parley/runtime/call"
)

// forwardTimeout bounds how long a change waits for the owner's answer.
const forwardTimeout = 5 * time.Second

// Node is this instance on the bus.
type Node struct {
	bus   *bus.Bus
	self  string
	log   *slog.Logger
	loads loads
	// get reads a call from the shared store (set by Serve); Create reads
	// the calls other instances create with it.
	get func(ctx context.Context, id string) (*call.Call, error)
}

// New returns this instance (id self) on b.
func New(b *bus.Bus, self string, log *slog.Logger) *Node {
	if log == nil {
		log = slog.Default()
	}
	return &Node{bus: b, self: self, log: log.With("component", "cluster"), loads: loads{seen: map[string]loadReport{}}}
}

// ErrDuplicateID is Claim's error when a running instance has this id.
var ErrDuplicateID = errors.New("another running instance has this instance id")

func instanceSubject(instance string) string { return bus.Subject("instance", instance) }

// claimWindow is how long Claim waits for the instances that answer to
// its id: a running one answers within a round trip.
var claimWindow = 250 * time.Millisecond

// Claim makes this instance's id its own on the bus: it answers to the id
// from now on with a nonce of its own, then asks every instance answering
// to it, for claimWindow, and fails with ErrDuplicateID if any answers
// with another nonce. Of two instances claiming the same id at once, at
// least one fails: each subscribes before it asks, so the one that asks
// last hears the other (both fail when they overlap).
func (n *Node) Claim(ctx context.Context) (func(), error) {
	var raw [12]byte
	if _, err := rand.Read(raw[:]); err != nil {
		return nil, fmt.Errorf("cluster: claim nonce: %w", err)
	}
	nonce := []byte(hex.EncodeToString(raw[:]))
	stop, err := n.bus.Subscribe(instanceSubject(n.self), func(m bus.Msg) { _ = m.Respond(nonce) })
	if err != nil {
		return nil, fmt.Errorf("cluster: %w", err)
	}
	ctx, cancel := context.WithTimeout(ctx, claimWindow)
	defer cancel()
	answers, err := n.bus.Gather(ctx, instanceSubject(n.self), nonce)
	if err != nil {
		stop()
		return nil, fmt.Errorf("cluster: check that instance id %q is free: %w", n.self, err)
	}
	self := false
	for _, a := range answers {
		if !bytes.Equal(a, nonce) {
			stop()
			return nil, fmt.Errorf("cluster: instance %q: %w (set PARLEY_INSTANCE_ID, or give each instance its own data directory)", n.self, ErrDuplicateID)
		}
		self = true
	}
	if !self {
		stop()
		return nil, fmt.Errorf("cluster: check that instance id %q is free: the bus did not carry this instance's own answer within %v", n.self, claimWindow)
	}
	return stop, nil
}

// changed is a change of a call's status made on another instance.
type changed struct {
	CallID string `json:"callId"`
	From   string `json:"from"`
}

func changedSubject(instance string) string { return bus.Subject("calls", instance, "changed") }

// Forward returns an observer of the calls' status changes (service.Calls
// Observe): a change of a call this instance holds, or that nobody holds,
// goes to local; one of a call another instance holds is sent there, and
// Forward waits (up to 5 s) until its local has seen it. When the owner
// is not running, the change is stored all the same; its calls are failed
// by the lease sweep.
func (n *Node) Forward(local func(call.Call)) func(call.Call) {
	return func(c call.Call) {
		if c.Owner == "" || c.Owner == n.self {
			local(c)
			return
		}
		data, err := json.Marshal(changed{CallID: c.ID, From: n.self})
		if err != nil {
			n.log.Error("call change not forwarded", "call", c.ID, "err", err)
			return
		}
		ctx, cancel := context.WithTimeout(context.Background(), forwardTimeout)
		defer cancel()
		if _, err := n.bus.Request(ctx, changedSubject(c.Owner), data); err != nil {
			n.log.Warn("call change did not reach the instance holding the call", "call", c.ID, "owner", c.Owner, "status", c.Status.String(), "err", err)
		}
	}
}

// Serve takes the changes other instances make to calls held here: each
// call is read again with get (so the latest stored state counts, not the
// message) and given to local. Call the returned function to stop.
func (n *Node) Serve(get func(ctx context.Context, id string) (*call.Call, error), local func(call.Call)) (func(), error) {
	n.get = get
	stop, err := n.bus.Subscribe(changedSubject(n.self), func(m bus.Msg) {
		var ch changed
		if err := json.Unmarshal(m.Data, &ch); err != nil || ch.CallID == "" {
			n.log.Warn("bad call change on the bus", "err", err)
			_ = m.Respond([]byte(`{"ok":false}`))
			return
		}
		ctx, cancel := context.WithTimeout(context.Background(), forwardTimeout)
		defer cancel()
		c, err := get(ctx, ch.CallID)
		if err != nil {
			n.log.Error("changed call not read", "call", ch.CallID, "from", ch.From, "err", err)
			_ = m.Respond([]byte(`{"ok":false}`))
			return
		}
		local(*c)
		_ = m.Respond([]byte(`{"ok":true}`))
	})
	if err != nil {
		return nil, fmt.Errorf("cluster: %w", err)
	}
	return stop, nil
}
