package agent

import (
	"fmt"
	"regexp"
	"strings"

	"github.com/parleyhq/parley/runtime/vars"
)

// Test is a conversation to try the agent with, without phoning it:
// `parley test` plays the caller's lines against the agent's real plugins
// and checks each reply.
type Test struct {
	// Name identifies the test in reports.
	Name string `yaml:"name" json:"name" jsonschema:"required,minLength=1,maxLength=200" jsonschema_description:"Name of the test, shown in parley test's report; unique within the agent."`
	// Variables are the call's values of the agent's declared variables.
	Variables map[string]any `yaml:"variables,omitempty" json:"variables,omitempty" jsonschema_description:"Values of the agent's declared variables for this test's call, as POST /api/v1/calls would give them; defaults fill the rest."`
	// Greeting, when set, is a regular expression the greeting must match.
	Greeting string `yaml:"greeting,omitempty" json:"greeting,omitempty" jsonschema_description:"Regular expression (RE2, case-insensitive, matched anywhere) the agent's greeting must match, with this test's variables."`
	// Steps are the caller's lines, in order, each with what to expect.
	Steps []TestStep `yaml:"steps" json:"steps" jsonschema:"required,minItems=1,maxItems=50" jsonschema_description:"The caller's lines in order (1 to 50), each with what the agent must do."`
}

// TestStep is one caller line of a test and what the agent must do.
type TestStep struct {
	// Say is what the caller says (as the speech recogniser would hear it).
	Say string `yaml:"say" json:"say" jsonschema:"required,minLength=1" jsonschema_description:"What the caller says, as text (at most 2000 bytes)."`
	// Expect is checked against the agent's turn; nil checks only that
	// the turn succeeded.
	Expect *Expect `yaml:"expect,omitempty" json:"expect,omitempty" jsonschema_description:"What the agent's answer must be; omit to check only that the agent answered without an error."`
}

// Expect is what one agent turn must be. Every key set must hold.
type Expect struct {
	// Reply is a regular expression the reply's text must match.
	Reply string `yaml:"reply,omitempty" json:"reply,omitempty" jsonschema_description:"Regular expression (RE2, case-insensitive, matched anywhere) the reply's text must match; a plain phrase matches itself."`
	// Contains is text the reply must contain (case-insensitive).
	Contains string `yaml:"contains,omitempty" json:"contains,omitempty" jsonschema_description:"Text the reply must contain, case-insensitive, taken literally (no regular expression)."`
	// Tool is a tool the agent must call in this turn.
	Tool string `yaml:"tool,omitempty" json:"tool,omitempty" jsonschema_description:"Name of a tool (under tools:) the agent must call in this turn."`
	// Arguments the tool call must have (only the keys given are compared).
	Arguments map[string]any `yaml:"arguments,omitempty" json:"arguments,omitempty" jsonschema_description:"Arguments the call of tool must have; only the keys given are compared, each value exactly."`
	// Hangup is whether the agent ends the call after this turn (end_call,
	// transfer_call or a hang-up by the chat provider).
	Hangup *bool `yaml:"hangup,omitempty" json:"hangup,omitempty" jsonschema_description:"Whether the agent ends the call after this turn (end_call, transfer_call, or the chat provider's own hang-up)."`
	// Transfer is where a transfer_call must send the caller: the
	// destination's name or its number.
	Transfer string `yaml:"transfer,omitempty" json:"transfer,omitempty" jsonschema_description:"Where transfer_call must send the caller in this turn: a destination's name or the number it maps to."`
	// Sentiment is the label the sentiment provider must give the
	// caller's line (positive, negative or neutral).
	Sentiment string `yaml:"sentiment,omitempty" json:"sentiment,omitempty" jsonschema_description:"Label the sentiment provider must give the caller's line, such as positive, negative or neutral (case-insensitive)."`
}

// Test limits.
const (
	maxTests = 50
	// MaxSayBytes is the longest caller line, in a test or in parley chat.
	MaxSayBytes = 2000
)

// Pattern compiles an expectation's regular expression as tests match it:
// case-insensitive, anywhere in the text.
func Pattern(re string) (*regexp.Regexp, error) {
	if _, err := regexp.Compile(re); err != nil {
		return nil, fmt.Errorf("is not a valid regular expression: %w", err)
	}
	return regexp.Compile("(?i)" + re)
}

// Line is the line of key in the file s was loaded from (of its nearest
// parent when the key is absent); 0 when unknown.
func (s *Spec) Line(key string) int { return (&validator{lines: s.lines}).line(key) }

// ProblemAt places msg at key's line in the file s was loaded from.
func (s *Spec) ProblemAt(key, msg string) Problem { return s.problem(key, msg) }

// validateTests checks the tests: names, lines, patterns, and that what
// they expect is something the agent can do.
func (s *Spec) validateTests(v *validator) {
	if len(s.Tests) > maxTests {
		v.add("tests", "has %d tests; at most %d are allowed", len(s.Tests), maxTests)
	}
	seen := map[string]int{}
	for i := range s.Tests {
		t := &s.Tests[i]
		key := fmt.Sprintf("tests[%d]", i)
		switch {
		case strings.TrimSpace(t.Name) == "":
			v.add(key+".name", "is required")
		case len(t.Name) > 200:
			v.add(key+".name", "must be at most 200 characters")
		default:
			if j, dup := seen[t.Name]; dup {
				v.add(key+".name", "%q is also the name of tests[%d]; test names must be unique", t.Name, j)
			}
			seen[t.Name] = i
		}
		if t.Greeting != "" {
			if _, err := Pattern(t.Greeting); err != nil {
				v.add(key+".greeting", "%v", err)
			}
		}
		// A test is a call: its variables are checked as a call's are.
		if _, err := vars.Bind(s.Declarations(), t.Variables); err != nil {
			v.add(key+".variables", "%v", err)
		}
		switch n := len(t.Steps); {
		case n == 0:
			v.add(key+".steps", "is required: at least one step with say:")
		case n > 50:
			v.add(key+".steps", "has %d steps; at most 50 are allowed", n)
		}
		for j := range t.Steps {
			s.validateStep(v, fmt.Sprintf("%s.steps[%d]", key, j), &t.Steps[j])
		}
	}
}

// validateStep checks one step of a test.
func (s *Spec) validateStep(v *validator, key string, st *TestStep) {
	switch {
	case strings.TrimSpace(st.Say) == "":
		v.add(key+".say", "is required: what the caller says")
	case len(st.Say) > MaxSayBytes:
		v.add(key+".say", "is %d bytes; at most %d", len(st.Say), MaxSayBytes)
	}
	e := st.Expect
	if e == nil {
		return
	}
	ek := key + ".expect"
	if e.Reply != "" {
		if _, err := Pattern(e.Reply); err != nil {
			v.add(ek+".reply", "%v", err)
		}
	}
	if e.Tool != "" && s.Tool(e.Tool) == nil {
		v.add(ek+".tool", "names %q, which is not one of the agent's tools (%s)", e.Tool, s.toolNames())
	}
	if len(e.Arguments) > 0 && e.Tool == "" {
		v.add(ek+".arguments", "needs tool: the tool whose call has these arguments")
	}
	if e.Transfer != "" && !s.hasTransfer() {
		v.add(ek+".transfer", "the agent has no transfer_call tool")
	}
	if e.Sentiment != "" && s.Providers.Sentiment == nil {
		v.add(ek+".sentiment", "the agent has no sentiment provider (providers.sentiment)")
	}
}

// toolNames lists the agent's tools for messages.
func (s *Spec) toolNames() string {
	if len(s.Tools) == 0 {
		return "it has none"
	}
	names := make([]string, len(s.Tools))
	for i, t := range s.Tools {
		names[i] = t.Name
	}
	return strings.Join(names, ", ")
}

// hasTransfer reports whether the agent has a transfer_call tool.
func (s *Spec) hasTransfer() bool {
	for _, t := range s.Tools {
		if t.TransferCall != nil {
			return true
		}
	}
	return false
}
