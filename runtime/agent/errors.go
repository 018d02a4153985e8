package agent

import "errors"

// Sentinel errors of the agent package. Callers match them with errors.Is;
// the returned errors wrap them with the agent name and the reason.
var (
	// ErrNotFound means no agent file defines the requested name.
	ErrNotFound = errors.New("agent not found")
	// ErrUnavailable means the agent is valid but cannot run here, for
	// example because its provider needs an API key that is not set.
	ErrUnavailable = errors.New("agent unavailable")
	// ErrInvalid means the agent file has problems and no earlier valid
	// version of it is in service.
	ErrInvalid = errors.New("agent invalid")
	// ErrDefaultMissing means no agent file defines the default agent.
	ErrDefaultMissing = errors.New("default agent missing")
	// ErrDefaultInvalid means the default agent exists but cannot be used.
	ErrDefaultInvalid = errors.New("default agent invalid")
	// ErrNoAgents means a directory holds no agent files at all.
	ErrNoAgents = errors.New("no agent files")
)
