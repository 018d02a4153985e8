package host

// State is where a plugin process is in its life.
type State int

// The states of a plugin process.
const (
	StateUnknown    State = iota
	StateStarting         // launching, handshake under way
	StateHealthy          // serving
	StateRestarting       // exited or hung; waiting out the backoff before a new start
	StateFailed           // could not be started; retried at the longest backoff
	StateStopped          // the host is shutting down
)

var stateNames = [...]string{"unknown", "starting", "healthy", "restarting", "failed", "stopped"}

// String returns the state as the API shows it.
func (s State) String() string {
	if s < 0 || int(s) >= len(stateNames) {
		return stateNames[StateUnknown]
	}
	return stateNames[s]
}

// MarshalText implements encoding.TextMarshaler.
func (s State) MarshalText() ([]byte, error) { return []byte(s.String()), nil }

// Status is a snapshot of one plugin process, for GET /api/v1/plugins.
type Status struct {
	Name      string   `json:"name"`
	Kinds     []string `json:"kinds"`
	Path      string   `json:"path"`
	Version   string   `json:"version"`
	PID       int      `json:"pid"`
	State     State    `json:"state"`
	Restarts  int      `json:"restarts"`
	LastError string   `json:"lastError,omitempty"`
	// MaxStreams is the plugin's declared limit of calls at once (0: none).
	MaxStreams int `json:"maxStreams,omitempty"`
	// Languages are the languages the plugin declares it serves (absent:
	// any).
	Languages []string `json:"languages,omitempty"`
}
