package config

import "time"

// Admission bounds the work the runtime takes on, so that a full machine
// refuses new calls instead of degrading every call it has.
type Admission struct {
	// MaxCalls caps the calls not in a final state (0: no cap).
	MaxCalls int `koanf:"max_calls"`
	// MaxProcessing caps the conversation/process requests in flight.
	MaxProcessing int `koanf:"max_processing"`
	// DrainTimeout is how long live calls may go on after SIGTERM.
	DrainTimeout time.Duration `koanf:"drain_timeout"`
}

// validate reports the admission settings' problems through bad.
func (a Admission) validate(bad func(key, format string, args ...any)) {
	if a.MaxCalls < 0 {
		bad("admission.max_calls", "must not be negative (0: no cap), not %d", a.MaxCalls)
	}
	if a.MaxProcessing < 1 {
		bad("admission.max_processing", "must be at least 1, not %d", a.MaxProcessing)
	}
	if a.DrainTimeout < 0 {
		bad("admission.drain_timeout", "must not be negative (0: end live calls at once), not %s", a.DrainTimeout)
	}
}

// DefaultMaxCalls is the default of PARLEY_MAX_CALLS: the calls of the
// offline default agent that the reference machine (2 vCPU) recognises in
// time, from the measured cost of a talking caller, 16-29 % of a core for
// pocketsphinx (bench/RESULTS.md, "Admission and overload").
const DefaultMaxCalls = 6

// MaxCallsHelp is the help of PARLEY_MAX_CALLS.
const MaxCallsHelp = "calls not ENDED or FAILED at once (0: no cap); 503 CAPACITY_EXCEEDED above. " +
	"The default is the measured capacity of a 2-core machine on the offline default agent (bench/RESULTS.md)"
