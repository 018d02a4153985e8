package agent

import (
	"time"

	"github.com/parleyhq/parley/runtime/vars"
)

// CallTexts are an agent's texts rendered for one call.
type CallTexts struct {
	// Values are the call's variables and the built-ins, for the other
	// templates of the call (tool URLs and bodies).
	Values vars.Values
	// SystemPrompt is system_prompt with the call's values.
	SystemPrompt string
	// Greeting is greeting with the call's values; empty for none.
	Greeting string
	// GreetingFixed is true when greeting uses no variable: it is the same
	// in every call, so its speech may be cached.
	GreetingFixed bool
}

// RenderForCall renders the system prompt and greeting of s for one call.
// variables are the call's values as stored with it (see vars.Bind); the
// defaults of declared variables it lacks are filled in (a call made before
// the agent declared them, or a person-to-person call answered through
// conversation/process), and a variable with neither renders empty. The
// built-ins come from callID, caller and now (in the agent's time zone).
// Rendering never fails: the agent's templates were checked when it
// loaded.
func (s *Spec) RenderForCall(callID, caller string, variables map[string]any, now time.Time) CallTexts {
	given := make(vars.Values, len(s.Variables)+len(variables))
	for name, d := range s.Declarations() {
		if d.Default != nil {
			given[name] = d.Default
		}
	}
	for name, v := range variables {
		given[name] = v
	}
	v := vars.Facts{CallID: callID, CallerNumber: caller, Agent: s.Name, Now: now, Location: s.Location()}.With(given)
	out := CallTexts{Values: v, SystemPrompt: s.SystemPrompt, Greeting: s.Greeting, GreetingFixed: true}
	if t, err := vars.Parse(s.SystemPrompt); err == nil {
		out.SystemPrompt = t.Render(v)
	}
	if t, err := vars.Parse(s.Greeting); err == nil {
		out.Greeting = t.Render(v)
		out.GreetingFixed = t.Static()
	}
	return out
}
