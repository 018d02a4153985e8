package service

import (
	"context"
	"errors"
	"fmt"
	"path/filepath"
	"sort"
	"sync"
	"time"

	"github.com/parleyhq/parley/runtime/agent"
	"github.com/parleyhq/parley/runtime/call"
)

// ErrCapacity is matched (errors.Is) by every *CapacityError: the runtime
// refuses new work rather than degrade the work it has.
var ErrCapacity = errors.New("capacity exceeded")

// ErrDraining is returned for new calls once the runtime is shutting down.
var ErrDraining = errors.New("the runtime is shutting down and takes no new calls")

// ErrUnavailable is matched (errors.Is) by the refusal of a new call
// while something it needs (the database, the bus) is down: it fails at
// once, saying what, rather than after a store timeout.
var ErrUnavailable = errors.New("a service the runtime needs is unavailable")

// dependencyTimeout bounds the check of the dependencies of a new call.
const dependencyTimeout = time.Second

// WithDependencies has Initiate check check before it admits a call (the
// store's ping, the bus's health); an error refuses the call with
// ErrUnavailable and the error's text.
func WithDependencies(check func(context.Context) error) Option {
	return func(s *Calls) { s.deps = check }
}

// checkDependencies runs the dependency check, if any.
func (s *Calls) checkDependencies(ctx context.Context) error {
	if s.deps == nil {
		return nil
	}
	ctx, cancel := context.WithTimeout(ctx, dependencyTimeout)
	defer cancel()
	if err := s.deps(ctx); err != nil {
		return fmt.Errorf("%w: %w", ErrUnavailable, err)
	}
	return nil
}

// CapacityError says which limit refused a call and when to try again.
type CapacityError struct {
	Reason     string // RefusedMaxCalls, RefusedStreamLimit, ...
	Message    string
	RetryAfter time.Duration
}

// Why a call is refused (the reason label of parley_refused_total).
const (
	RefusedMaxCalls    = "max_calls"
	RefusedStreamLimit = "stream_limit"
	RefusedDraining    = "draining"
	RefusedProcessing  = "processing"
	RefusedUnavailable = "unavailable"
)

// Error implements error.
func (e *CapacityError) Error() string { return e.Message }

// Is makes errors.Is(err, ErrCapacity) true.
func (e *CapacityError) Is(target error) bool { return target == ErrCapacity }

// capacityRetryAfter is what a refused caller is told to wait: calls last
// minutes, but one ends every few seconds on a full runtime.
const capacityRetryAfter = 5 * time.Second

// StreamLimits says how many calls at once the plugins of an agent can
// serve; *host.Host implements it. A plugin that declares no limit is left
// out.
type StreamLimits interface {
	// StreamLimits returns, for each plugin of spec that declares a limit
	// of concurrent streams, a key naming the plugin (the same for every
	// agent that uses it) and the limit.
	StreamLimits(spec *agent.Spec) map[string]int
}

// Option configures Calls.
type Option func(*Calls)

// WithMaxCalls caps the calls not in a final state (ENDED, FAILED) that
// this Calls started; 0 means no cap.
func WithMaxCalls(n int) Option { return func(s *Calls) { s.adm.max = n } }

// WithInstance names this runtime instance: the owner of the calls it
// creates, whose calls Recover fails at start (default "": a runtime alone
// with its store).
func WithInstance(id string) Option { return func(s *Calls) { s.instance = id } }

// WithOnRefused has fn told, with a Refused* reason, of every call
// Initiate refuses for lack of capacity (for a metric); fn must return
// quickly.
func WithOnRefused(fn func(reason string)) Option { return func(s *Calls) { s.adm.onRefused = fn } }

// WithStreamLimits makes Initiate refuse a call whose agent uses a plugin
// already serving as many calls as it declares it can.
func WithStreamLimits(l StreamLimits) Option { return func(s *Calls) { s.adm.limits = l } }

// admission counts the calls not in a final state and what each holds.
// Reserving and counting happen under one lock, so many calls created at
// once never overshoot a cap.
type admission struct {
	max       int
	limits    StreamLimits
	onRefused func(reason string)

	mu       sync.Mutex
	draining bool
	held     map[string][]string // call id -> limited plugin keys it holds
	inUse    map[string]int      // plugin key -> calls holding it
}

// reserve admits call id of spec (nil for a call between two people), or
// says why not.
func (a *admission) reserve(id string, spec *agent.Spec) error {
	var limits map[string]int
	if spec != nil && a.limits != nil {
		limits = a.limits.StreamLimits(spec)
	}
	a.mu.Lock()
	defer a.mu.Unlock()
	if a.draining {
		return ErrDraining
	}
	if a.held == nil {
		a.held, a.inUse = map[string][]string{}, map[string]int{}
	}
	if a.max > 0 && len(a.held) >= a.max {
		return &CapacityError{
			Reason:     RefusedMaxCalls,
			Message:    fmt.Sprintf("the runtime is at its cap of %d calls (PARLEY_MAX_CALLS); try again shortly", a.max),
			RetryAfter: capacityRetryAfter,
		}
	}
	keys := make([]string, 0, len(limits))
	for k := range limits {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	for _, k := range keys {
		if a.inUse[k] >= limits[k] {
			return &CapacityError{
				Reason: RefusedStreamLimit,
				Message: fmt.Sprintf("agent %q: its plugin %s serves at most %d calls at once and all are in use; try again shortly",
					spec.Name, pluginName(k), limits[k]),
				RetryAfter: capacityRetryAfter,
			}
		}
	}
	for _, k := range keys {
		a.inUse[k]++
	}
	a.held[id] = keys
	return nil
}

// refused tells the hook why err refused a call.
func (a *admission) refused(err error) {
	if a.onRefused == nil {
		return
	}
	var ce *CapacityError
	switch {
	case errors.As(err, &ce):
		a.onRefused(ce.Reason)
	case errors.Is(err, ErrDraining):
		a.onRefused(RefusedDraining)
	case errors.Is(err, ErrUnavailable):
		a.onRefused(RefusedUnavailable)
	}
}

// release frees what call id holds; releasing twice, or a call never
// reserved, does nothing.
func (a *admission) release(id string) {
	a.mu.Lock()
	defer a.mu.Unlock()
	keys, ok := a.held[id]
	if !ok {
		return
	}
	delete(a.held, id)
	for _, k := range keys {
		if a.inUse[k]--; a.inUse[k] <= 0 {
			delete(a.inUse, k)
		}
	}
}

func (a *admission) live() int {
	a.mu.Lock()
	defer a.mu.Unlock()
	return len(a.held)
}

// pluginName is the last element of a plugin key (a binary's path).
func pluginName(key string) string { return filepath.Base(key) }

// Drain makes Initiate refuse new calls with ErrDraining from now on;
// calls already started go on.
func (s *Calls) Drain() {
	s.adm.mu.Lock()
	s.adm.draining = true
	s.adm.mu.Unlock()
}

// Draining reports whether Drain was called.
func (s *Calls) Draining() bool {
	s.adm.mu.Lock()
	defer s.adm.mu.Unlock()
	return s.adm.draining
}

// Live returns the number of calls this Calls started that are not yet
// ENDED or FAILED: what PARLEY_MAX_CALLS caps.
func (s *Calls) Live() int { return s.adm.live() }

// EndLive ends every call this Calls started that is not yet ENDED or
// FAILED, with reason: the last step of a shutdown, for the calls that
// never got media (the live side ends the others). It returns how many it
// ended and the first error.
func (s *Calls) EndLive(ctx context.Context, reason string) (int, error) {
	s.adm.mu.Lock()
	ids := make([]string, 0, len(s.adm.held))
	for id := range s.adm.held {
		ids = append(ids, id)
	}
	s.adm.mu.Unlock()
	n := 0
	var first error
	for _, id := range ids {
		_, err := s.End(ctx, id, reason)
		switch {
		case err == nil:
			n++
		case errors.Is(err, call.ErrInvalidTransition):
			// It finished meanwhile.
		case first == nil:
			first = err
		}
	}
	return n, first
}

// Load is this instance's load, for placement across instances.
type Load struct {
	Live     int  // calls not ENDED or FAILED
	Max      int  // PARLEY_MAX_CALLS (0: no cap)
	Draining bool // shutting down: no new calls
}

// Load returns this instance's load.
func (s *Calls) Load() Load {
	s.adm.mu.Lock()
	defer s.adm.mu.Unlock()
	return Load{Live: len(s.adm.held), Max: s.adm.max, Draining: s.adm.draining}
}

// Placer places new agent calls across instances (runtime/cluster): Place
// names the instance with the most room, this one's id to keep the call
// here; Create has that instance create it and returns the stored call.
type Placer interface {
	Place(self Load) string
	Create(ctx context.Context, instance string, req InitiateRequest) (*call.Call, error)
}

// WithPlacer has Initiate place each new agent call with p. A call that
// cannot be created where p chose is created here.
func WithPlacer(p Placer) Option { return func(s *Calls) { s.placer = p } }

type placedKey struct{}

// Placed marks ctx as the creation of a call another instance placed
// here: Initiate creates it here, without placing it again.
func Placed(ctx context.Context) context.Context { return context.WithValue(ctx, placedKey{}, true) }

// place creates req's call where the placer chooses, if not here; ok
// false means: create it here.
func (s *Calls) place(ctx context.Context, req InitiateRequest) (*call.Call, bool) {
	if s.placer == nil || ctx.Value(placedKey{}) != nil {
		return nil, false
	}
	target := s.placer.Place(s.Load())
	if target == "" || target == s.instance {
		return nil, false
	}
	c, err := s.placer.Create(ctx, target, req)
	if err != nil {
		s.log.WarnContext(ctx, "call not placed on another instance; created here", "instance", target, "err", err)
		return nil, false
	}
	s.log.InfoContext(ctx, "call placed on another instance", "call", c.ID, "instance", target)
	return c, true
}
