package vars

import (
	"slices"
	"time"
)

// The built-in variables: every call has them, and none can be declared or
// given.
const (
	// CallID is the call's id (a UUID).
	CallID = "call_id"
	// CallerNumber is the caller's phone number as the call stores it
	// (digits, with a leading + when given in international form).
	CallerNumber = "caller_number"
	// AgentName is the agent's name.
	AgentName = "agent_name"
	// Date is today in the agent's time zone: 2026-12-03.
	Date = "date"
	// Time is the time of day in the agent's time zone, 24-hour: 14:05.
	Time = "time"
	// Weekday is the day of the week in English: Thursday.
	Weekday = "weekday"
	// DateTime is the date and time in RFC 3339 with the zone's offset:
	// 2026-12-03T14:05:09+01:00.
	DateTime = "datetime"
	// Timezone is the agent's IANA time zone name: Europe/Berlin.
	Timezone = "timezone"
)

var builtins = []string{CallID, CallerNumber, AgentName, Date, Time, Weekday, DateTime, Timezone}

// Builtins returns the names of the built-in variables.
func Builtins() []string { return slices.Clone(builtins) }

// IsBuiltin reports whether name is a built-in variable.
func IsBuiltin(name string) bool { return slices.Contains(builtins, name) }

// Facts are what the built-in variables of one call are made of.
type Facts struct {
	CallID       string
	CallerNumber string
	Agent        string
	// Now is when the texts are rendered; Location is the agent's time
	// zone (nil for UTC).
	Now      time.Time
	Location *time.Location
}

// With returns the call's values: a copy of given with the built-ins of f
// set over it.
func (f Facts) With(given Values) Values {
	loc := f.Location
	if loc == nil {
		loc = time.UTC
	}
	now := f.Now.In(loc)
	out := make(Values, len(given)+len(builtins))
	for k, v := range given {
		out[k] = v
	}
	out[CallID] = f.CallID
	out[CallerNumber] = f.CallerNumber
	out[AgentName] = f.Agent
	out[Date] = now.Format(time.DateOnly)
	out[Time] = now.Format("15:04")
	out[Weekday] = now.Weekday().String()
	out[DateTime] = now.Format(time.RFC3339)
	out[Timezone] = loc.String()
	return out
}
