package textcall

import (
	"context"
	"fmt"
	"time"

	"github.com/parleyhq/parley/runtime/agent"
	"github.com/parleyhq/parley/runtime/provider"
	"github.com/parleyhq/parley/runtime/turn"
	"github.com/parleyhq/parley/runtime/vars"
)

// Providers are the plugins a test's sessions use.
type Providers struct {
	Chat      provider.Chat
	Sentiment provider.Sentiment // nil when the agent scores no sentiment
}

// Failure is one expectation of a test that did not hold.
type Failure struct {
	// Step is the 1-based step (0 for the test as a whole: its variables
	// or greeting).
	Step int
	// Key is the key path of what failed in the agent file, Line its line.
	Key  string
	Line int
	// Message says what happened instead.
	Message string
}

// String formats f as "step N: message" (without the file and line).
func (f Failure) String() string {
	if f.Step == 0 {
		return f.Message
	}
	return fmt.Sprintf("step %d: %s", f.Step, f.Message)
}

// Exchange is one step as it happened.
type Exchange struct {
	Say  string
	Turn Turn
	Err  error
}

// Result is one test's outcome.
type Result struct {
	Test string
	// Line is the line of the test in the agent file.
	Line     int
	Greeting string
	// Exchanges are the steps said, in order.
	Exchanges []Exchange
	Failures  []Failure
	Took      time.Duration
}

// Passed reports whether every expectation held.
func (r *Result) Passed() bool { return len(r.Failures) == 0 }

// Run plays test number i of spec through a fresh session with the
// agent's plugins p and engine (nil: turn.New()), and checks every step.
// It stops at the first step whose turn fails or that comes after the
// agent hung up; expectations that do not hold are all reported. ctx
// bounds the whole test.
func Run(ctx context.Context, spec *agent.Spec, i int, p Providers, engine *turn.Engine) (res Result) {
	t := &spec.Tests[i]
	key := fmt.Sprintf("tests[%d]", i)
	res = Result{Test: t.Name, Line: spec.Line(key)}
	started := time.Now()
	defer func() { res.Took = time.Since(started) }()
	fail := func(step int, k, format string, args ...any) {
		res.Failures = append(res.Failures, Failure{Step: step, Key: k, Line: spec.Line(k), Message: fmt.Sprintf(format, args...)})
	}
	values, err := vars.Bind(spec.Declarations(), t.Variables)
	if err != nil {
		fail(0, key+".variables", "%v", err)
		return res
	}
	s := New(Config{Spec: spec, Chat: p.Chat, Sentiment: p.Sentiment, Engine: engine, Variables: values})
	res.Greeting = s.Greeting()
	if t.Greeting != "" {
		if re, err := agent.Pattern(t.Greeting); err == nil && !re.MatchString(res.Greeting) {
			fail(0, key+".greeting", "greeting %q does not match /%s/", res.Greeting, t.Greeting)
		}
	}
	for j := range t.Steps {
		st := &t.Steps[j]
		sk := fmt.Sprintf("%s.steps[%d]", key, j)
		if s.Ended() {
			fail(j+1, sk, "the agent hung up at step %d; no step can follow it", j)
			return res
		}
		turn, err := s.Say(ctx, st.Say, nil)
		res.Exchanges = append(res.Exchanges, Exchange{Say: st.Say, Turn: turn, Err: err})
		if err != nil {
			fail(j+1, sk, "the agent's turn failed: %v", err)
			return res
		}
		for _, f := range check(st.Expect, turn) {
			fail(j+1, sk+".expect"+f.key, "%s", f.msg)
		}
	}
	return res
}
