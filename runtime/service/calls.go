package service

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"strings"
	"sync"
	"time"

	"github.com/google/uuid"

	"github.com/parleyhq/parley/runtime/agent"
	"github.com/parleyhq/parley/runtime/call"
	"github.com/parleyhq/parley/runtime/store"
	"github.com/parleyhq/parley/runtime/vars"
)

// Agents resolves agent names to specs; *agent.Registry implements it.
type Agents interface {
	// Get returns the current spec of a ready agent.
	Get(name string) (*agent.Spec, error)
	// DefaultName is the agent used when a request names none.
	DefaultName() string
}

// Calls carries out what can be done to a call: start, connect, end, look
// up. It keeps, for each live call it started, the agent spec the call began
// with, so an agent file edited mid-call changes only new calls.
type Calls struct {
	store  store.Store
	agents Agents
	now    func() time.Time
	log    *slog.Logger
	// instance is this runtime's id, the owner of the calls it creates.
	instance string

	adm admission

	mu sync.Mutex
	// specs maps a live agent call's id to the spec it started with. An
	// entry goes when the call ends or fails; every call does, at the
	// latest by RunLifetimes' ring timeout or max-duration sweep, so the
	// map holds at most the calls of one ring timeout plus the calls in
	// progress.
	specs     map[string]*agent.Spec
	observers []func(call.Call)
	deps      func(context.Context) error     // WithDependencies
	onLost    func(context.Context, []string) // OnLostCalls
	placer    Placer                          // WithPlacer
}

// Observe registers fn to be told of every status change Calls makes, after
// it is stored, in the goroutine that made it: fn must return quickly.
func (s *Calls) Observe(fn func(call.Call)) {
	s.mu.Lock()
	s.observers = append(s.observers, fn)
	s.mu.Unlock()
}

func (s *Calls) notify(c *call.Call) {
	s.mu.Lock()
	obs := s.observers
	s.mu.Unlock()
	for _, fn := range obs {
		fn(*c)
	}
}

// errUnchanged tells update that the call is already where the operation
// would take it: nothing to store, not an error.
var errUnchanged = errors.New("unchanged")

// NewCalls returns the call use cases over st and agents.
func NewCalls(st store.Store, agents Agents, log *slog.Logger, opts ...Option) *Calls {
	s := &Calls{store: st, agents: agents, now: time.Now, log: log, specs: map[string]*agent.Spec{}}
	for _, o := range opts {
		o(s)
	}
	return s
}

// InitiateRequest is what a caller sends to start a call.
type InitiateRequest struct {
	CallerNumber   string
	ReceiverNumber string // empty for a call answered by an agent
	Agent          string // empty for the default agent
	// TokenID is the id of the call token creating the call, if any: a
	// token creates one call (ErrTokenUsed for a second).
	TokenID string
	// Variables are the call's values for its agent's declared variables
	// (strings, bools, and numbers as json.Number, float64 or int64);
	// checked with vars.Bind, which also fills the defaults.
	Variables map[string]any
}

// Initiate validates req, creates the call and leaves it RINGING.
func (s *Calls) Initiate(ctx context.Context, req InitiateRequest) (*call.Call, error) {
	caller, err := call.ParsePhoneNumber(req.CallerNumber)
	if err != nil {
		if strings.TrimSpace(req.CallerNumber) == "" {
			return nil, invalid("callerNumber", "is required, e.g. 01012345678")
		}
		return nil, invalid("callerNumber", "%s", phoneMessage(err))
	}
	var receiver call.PhoneNumber
	if req.ReceiverNumber != "" {
		if receiver, err = call.ParsePhoneNumber(req.ReceiverNumber); err != nil {
			return nil, invalid("receiverNumber", "%s", phoneMessage(err))
		}
	}
	var spec *agent.Spec
	name := req.Agent
	if receiver.IsZero() {
		if name == "" {
			name = s.agents.DefaultName()
		}
		if spec, err = s.agents.Get(name); err != nil {
			if errors.Is(err, agent.ErrNotFound) {
				return nil, invalid("agent", "no agent named %q; GET /api/v1/agents lists them", name)
			}
			return nil, fmt.Errorf("agent %q: %w", name, err)
		}
	} else if name != "" {
		return nil, invalid("agent", "a call with receiverNumber connects two people and takes no agent")
	}
	var values vars.Values
	switch {
	case spec != nil:
		if values, err = BindVariables(spec, req.Variables); err != nil {
			return nil, err
		}
	case len(req.Variables) > 0:
		return nil, invalid("variables", "a call with receiverNumber connects two people: there is no agent to take variables")
	}

	c := call.New(caller, receiver, name, s.now())
	c.TokenID, c.Owner = req.TokenID, s.instance
	if len(values) > 0 {
		c.Variables = values
	}
	if err := c.Ring(); err != nil {
		return nil, fmt.Errorf("initiate: %w", err)
	}
	if err := s.checkDependencies(ctx); err != nil {
		s.adm.refused(err)
		return nil, fmt.Errorf("initiate: %w", err)
	}
	if spec != nil {
		if placed, ok := s.place(ctx, req); ok {
			return placed, nil
		}
	}
	if err := s.adm.reserve(c.ID, spec); err != nil {
		s.adm.refused(err)
		return nil, fmt.Errorf("initiate: %w", err)
	}
	if err := s.store.CreateCall(ctx, c); err != nil {
		s.adm.release(c.ID)
		if req.TokenID != "" && errors.Is(err, store.ErrDuplicate) {
			// Ids and session ids are random: the token it is.
			return nil, ErrTokenUsed
		}
		return nil, fmt.Errorf("initiate: %w", err)
	}
	if spec != nil {
		s.mu.Lock()
		s.specs[c.ID] = spec
		s.mu.Unlock()
	}
	s.log.InfoContext(ctx, "call initiated", "call", c.ID, "agent", name, "caller", caller.Redacted())
	return c, nil
}

// BindVariables checks the values given to a call of spec against its
// declarations (vars.Bind) and returns the call's values, defaults filled.
// Problems are a *ValidationError naming each variable.
func BindVariables(spec *agent.Spec, given map[string]any) (vars.Values, error) {
	values, err := vars.Bind(spec.Declarations(), given)
	if err == nil {
		return values, nil
	}
	agentName := spec.Name
	var be *vars.BindError
	if !errors.As(err, &be) {
		return nil, fmt.Errorf("variables: %w", err)
	}
	if len(be.Problems) == 1 && be.Problems[0].Name != "" {
		p := be.Problems[0]
		return nil, invalid("variables."+p.Name, "%s (agent %s)", p.Message, agentName)
	}
	parts := make([]string, len(be.Problems))
	for i, p := range be.Problems {
		parts[i] = p.Message
		if p.Name != "" {
			parts[i] = p.Name + ": " + p.Message
		}
	}
	return nil, invalid("variables", "%s (agent %s)", strings.Join(parts, "; "), agentName)
}

// phoneMessage strips the sentinel's prefix: the field name says enough.
func phoneMessage(err error) string {
	return strings.TrimPrefix(err.Error(), call.ErrInvalidPhoneNumber.Error()+": ")
}

// Connect moves a RINGING call to CONNECTING. A call already CONNECTING
// or IN_PROGRESS is returned unchanged: its media may have connected
// before the client asked (the original client calls /connect after its
// offer).
func (s *Calls) Connect(ctx context.Context, id string) (*call.Call, error) {
	return s.update(ctx, id, "connect", func(c *call.Call) error {
		if c.Status == call.StatusConnecting || c.Status == call.StatusInProgress {
			return errUnchanged
		}
		return c.Connect()
	})
}

// Start moves a CONNECTING call to IN_PROGRESS: media is flowing.
func (s *Calls) Start(ctx context.Context, id string) (*call.Call, error) {
	return s.update(ctx, id, "start", func(c *call.Call) error { return c.Start(s.now()) })
}

// End hangs up a live call.
func (s *Calls) End(ctx context.Context, id, reason string) (*call.Call, error) {
	c, err := s.update(ctx, id, "end", func(c *call.Call) error { return c.End(s.now(), reason) })
	if err == nil {
		s.forget(c.ID)
	}
	return c, err
}

// Fail marks a live call as FAILED: it never reached IN_PROGRESS, or the
// runtime broke it (an internal error).
func (s *Calls) Fail(ctx context.Context, id, reason string) (*call.Call, error) {
	c, err := s.update(ctx, id, "fail", func(c *call.Call) error { return c.Fail(s.now(), reason) })
	if err == nil {
		s.forget(c.ID)
	}
	return c, err
}

// update applies change to the stored call and saves it, retrying when a
// concurrent request changed the call in between, so that two racing
// requests cannot both succeed on the same status.
func (s *Calls) update(ctx context.Context, id, op string, change func(*call.Call) error) (*call.Call, error) {
	id, err := canonicalID(id)
	if err != nil {
		return nil, err
	}
	const attempts = 3
	for range attempts {
		c, err := s.store.Call(ctx, id)
		if err != nil {
			return nil, fmt.Errorf("%s call: %w", op, err)
		}
		prev := c.Status
		if err := change(c); errors.Is(err, errUnchanged) {
			return c, nil
		} else if err != nil {
			return nil, fmt.Errorf("%s call: %w", op, err)
		}
		err = s.store.UpdateCall(ctx, c, prev)
		if errors.Is(err, store.ErrConflict) {
			continue
		}
		if err != nil {
			return nil, fmt.Errorf("%s call: %w", op, err)
		}
		if c.Status.Terminal() {
			s.adm.release(c.ID)
		}
		s.log.InfoContext(ctx, "call "+strings.ToLower(c.Status.String()), "call", id, "from", prev.String())
		s.notify(c)
		return c, nil
	}
	return nil, fmt.Errorf("%s call: %w", op, store.ErrConflict)
}

// ChangedElsewhere takes a status change another instance made to a call
// this instance holds (a REST end through another instance): once the
// call is over, what this instance kept for it (its admission, its agent
// spec) is freed, as for its own changes.
func (s *Calls) ChangedElsewhere(c call.Call) {
	if c.Status.Terminal() {
		s.adm.release(c.ID)
		s.forget(c.ID)
	}
}

func (s *Calls) forget(id string) {
	s.mu.Lock()
	delete(s.specs, id)
	s.mu.Unlock()
}

// Get returns a call by id.
func (s *Calls) Get(ctx context.Context, id string) (*call.Call, error) {
	id, err := canonicalID(id)
	if err != nil {
		return nil, err
	}
	c, err := s.store.Call(ctx, id)
	if err != nil {
		return nil, fmt.Errorf("get call: %w", err)
	}
	return c, nil
}

// BySession returns the call of a signaling session id; an unknown one is
// an error wrapping store.ErrNotFound.
func (s *Calls) BySession(ctx context.Context, sessionID string) (*call.Call, error) {
	c, err := s.store.CallBySession(ctx, sessionID)
	if err != nil {
		return nil, fmt.Errorf("call of session: %w", err)
	}
	return c, nil
}

// List returns a page of calls and the total that match.
func (s *Calls) List(ctx context.Context, f store.CallFilter) ([]*call.Call, int, error) {
	calls, total, err := s.store.Calls(ctx, f)
	if err != nil {
		return nil, 0, fmt.Errorf("list calls: %w", err)
	}
	return calls, total, nil
}

// History returns a call and its stored turns.
func (s *Calls) History(ctx context.Context, id string) (*call.Call, []*store.Turn, error) {
	c, err := s.Get(ctx, id)
	if err != nil {
		return nil, nil, err
	}
	turns, err := s.store.Turns(ctx, c.ID)
	if err != nil {
		return nil, nil, fmt.Errorf("call history: %w", err)
	}
	return c, turns, nil
}

// AgentSpec returns the spec a live call started with.
func (s *Calls) AgentSpec(id string) (*agent.Spec, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	spec, ok := s.specs[id]
	return spec, ok
}

// Recover fails the calls this instance's previous run left live (and
// those stored before calls had owners): their media and signaling died
// with it. Other instances' calls are theirs.
func (s *Calls) Recover(ctx context.Context) (int, error) {
	n, err := s.store.FailLiveCalls(ctx, []string{s.instance, ""}, s.now(), call.ReasonRuntimeRestart)
	if err != nil {
		return 0, fmt.Errorf("recover calls: %w", err)
	}
	if n > 0 {
		s.log.WarnContext(ctx, "calls left live by the previous run marked FAILED", "count", n, "reason", call.ReasonRuntimeRestart)
	}
	return n, nil
}

// Instance is this runtime's instance id (WithInstance).
func (s *Calls) Instance() string { return s.instance }

// canonicalID checks that id is a UUID and returns its canonical spelling.
func canonicalID(id string) (string, error) {
	u, err := uuid.Parse(id)
	if err != nil || len(id) != 36 {
		return "", invalid("id", "%q is not a call id (a UUID such as 550e8400-e29b-41d4-a716-446655440000)", id)
	}
	return u.String(), nil
}
