package agent

import (
	"fmt"
	"log/slog"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"time"
)

// Registry holds the agents of one directory and reloads them when files
// change (see Run). It is safe for concurrent use. Lookups read an immutable
// snapshot, so a *Spec they return never changes; a reload swaps in a new
// snapshot.
type Registry struct {
	dir         string
	defaultName string
	log         *slog.Logger
	available   func(*Spec) error
	lookupEnv   func(string) (string, bool) // os.LookupEnv unless a test sets it
	debounce    time.Duration

	snap     atomic.Pointer[snapshot]
	reloadMu sync.Mutex // one reload at a time: each builds on the last

	subMu sync.Mutex
	subs  map[chan struct{}]struct{}
}

// NewRegistry loads every agent file of dir. defaultName is the agent used
// when a call names none; the error wraps ErrDefaultMissing when no file
// defines it and ErrDefaultInvalid (with all its problems) when it is invalid
// or unavailable. Other invalid files do not fail NewRegistry: they are
// listed with their problems.
func NewRegistry(dir, defaultName string, opts ...Option) (*Registry, error) {
	abs, err := filepath.Abs(dir)
	if err != nil {
		return nil, fmt.Errorf("agents directory %s: %w", dir, err)
	}
	r := &Registry{
		dir:         abs,
		defaultName: defaultName,
		log:         slog.Default(),
		debounce:    150 * time.Millisecond,
		subs:        map[chan struct{}]struct{}{},
	}
	for _, opt := range opts {
		opt(r)
	}
	if defaultName == "" {
		return nil, fmt.Errorf("%w: no default agent name given", ErrDefaultMissing)
	}
	rs, err := scanDir(abs)
	if err != nil {
		return nil, err
	}
	s := r.build(nil, rs)
	if err := r.checkDefault(s); err != nil {
		return nil, err
	}
	r.logChanges(nil, s)
	r.snap.Store(s)
	return r, nil
}

// checkDefault returns why the default agent of s cannot be used, or nil.
func (r *Registry) checkDefault(s *snapshot) error {
	e := s.byName[r.defaultName]
	switch {
	case e == nil:
		return fmt.Errorf("%w: no agent file in %s defines %q", ErrDefaultMissing, r.dir, r.defaultName)
	case e.info.Status == StatusInvalid:
		return fmt.Errorf("%w: %q (%s):\n%s", ErrDefaultInvalid, r.defaultName, e.info.File, strings.Join(e.info.Errors, "\n"))
	case e.err != nil:
		return fmt.Errorf("%w: %w", ErrDefaultInvalid, e.err)
	}
	return nil
}

// Get returns the agent called name. The error wraps ErrNotFound,
// ErrUnavailable (with the reason) or ErrInvalid (with the problems).
func (r *Registry) Get(name string) (*Spec, error) {
	e := r.snap.Load().byName[name]
	if e == nil {
		return nil, fmt.Errorf("%w: %q", ErrNotFound, name)
	}
	if e.err != nil {
		return nil, e.err
	}
	return e.spec, nil
}

// Default returns the default agent. When a reload leaves it invalid,
// unavailable or removed, the last good version stays in service.
func (r *Registry) Default() *Spec { return r.snap.Load().def }

// DefaultName returns the name of the default agent.
func (r *Registry) DefaultName() string { return r.defaultName }

// Dir returns the absolute path of the agents directory.
func (r *Registry) Dir() string { return r.dir }

// List describes every agent file, invalid ones included, sorted by name
// (then file).
func (r *Registry) List() []Info {
	s := r.snap.Load()
	out := make([]Info, len(s.entries))
	for i, e := range s.entries {
		out[i] = e.info
		out[i].Errors = slices.Clone(e.info.Errors)
	}
	return out
}

// Reload reads the directory again and swaps in the result. Files that
// became invalid keep their previous version in service. It returns an error
// only when the directory cannot be read, in which case nothing changes.
// Subscribers are notified either way.
func (r *Registry) Reload() error {
	r.reloadMu.Lock()
	defer r.reloadMu.Unlock()
	defer r.notify()
	rs, err := scanDir(r.dir)
	if err != nil {
		r.log.Error("reload agents: keeping the loaded agents", "dir", r.dir, "err", err)
		return err
	}
	prev := r.snap.Load()
	s := r.build(prev, rs)
	r.logChanges(prev, s)
	r.snap.Store(s)
	return nil
}

// Subscribe returns a channel that receives a value after each reload, and a
// function that ends the subscription. Notifications are coalesced (the
// channel holds one) and the channel is never closed.
func (r *Registry) Subscribe() (<-chan struct{}, func()) {
	ch := make(chan struct{}, 1)
	r.subMu.Lock()
	r.subs[ch] = struct{}{}
	r.subMu.Unlock()
	return ch, func() {
		r.subMu.Lock()
		delete(r.subs, ch)
		r.subMu.Unlock()
	}
}

func (r *Registry) notify() {
	r.subMu.Lock()
	defer r.subMu.Unlock()
	for ch := range r.subs {
		select {
		case ch <- struct{}{}:
		default:
		}
	}
}
