package agent

// Status says whether an agent can take calls.
type Status string

// Statuses of an agent in the registry.
const (
	// StatusUnknown is the zero value.
	StatusUnknown Status = ""
	// StatusReady means the agent can take calls.
	StatusReady Status = "ready"
	// StatusUnavailable means the agent is valid but cannot run here (see
	// WithAvailability); Info.Errors says why.
	StatusUnavailable Status = "unavailable"
	// StatusInvalid means the agent file has problems and no earlier version
	// is in service; Info.Errors lists them.
	StatusInvalid Status = "invalid"
)

// String returns the status name, or "unknown" for the zero value.
func (s Status) String() string {
	if s == StatusUnknown {
		return "unknown"
	}
	return string(s)
}

// Info describes one agent file for listings (GET /api/v1/agents, the CLI).
type Info struct {
	// Name is the agent name, or the file stem when the file is too broken
	// to tell.
	Name string `json:"name"`
	// Description is the agent's description.
	Description string `json:"description,omitempty"`
	// File is the path of the agent file.
	File string `json:"file"`
	// Language is the agent's language.
	Language Language `json:"language,omitempty"`
	// Variables are the agent's declared variables: what POST
	// /api/v1/calls may give it.
	Variables map[string]Variable `json:"variables,omitempty"`
	// Status says whether the agent can take calls.
	Status Status `json:"status"`
	// Default is true for the agent used when a call names none.
	Default bool `json:"default"`
	// Errors lists the file's problems, the reason the agent is
	// unavailable, or a note that a previous version is kept in service.
	Errors []string `json:"errors,omitempty"`
}
