package textcall

import (
	"encoding/json"
	"fmt"
	"reflect"
	"slices"
	"strings"

	"github.com/parleyhq/parley/runtime/agent"
	"github.com/parleyhq/parley/runtime/store"
)

// miss is one expectation that did not hold: the key under expect (".reply")
// and what happened instead.
type miss struct{ key, msg string }

// check compares a turn with what its step expects.
func check(e *agent.Expect, t Turn) []miss {
	if e == nil {
		return nil
	}
	var out []miss
	add := func(key, format string, args ...any) { out = append(out, miss{key, fmt.Sprintf(format, args...)}) }
	if e.Reply != "" {
		if re, err := agent.Pattern(e.Reply); err == nil && !re.MatchString(t.Reply) {
			add(".reply", "reply %q does not match /%s/", t.Reply, e.Reply)
		}
	}
	if e.Contains != "" && !strings.Contains(strings.ToLower(t.Reply), strings.ToLower(e.Contains)) {
		add(".contains", "reply %q does not contain %q", t.Reply, e.Contains)
	}
	if e.Tool != "" {
		if msg := checkTool(e, t.ToolCalls); msg != "" {
			add(".tool", "%s", msg)
		}
	}
	if e.Hangup != nil && *e.Hangup != t.Hangup {
		if t.Hangup {
			add(".hangup", "the agent hung up")
		} else {
			add(".hangup", "the agent did not hang up")
		}
	}
	if e.Transfer != "" && t.Transfer != e.Transfer && t.Destination != e.Transfer {
		if t.Transfer == "" {
			add(".transfer", "the agent did not transfer the call (expected %s)", e.Transfer)
		} else {
			add(".transfer", "the agent transferred the call to %s (%s), not %s", t.Destination, t.Transfer, e.Transfer)
		}
	}
	if e.Sentiment != "" {
		switch {
		case t.SentimentErr != nil:
			add(".sentiment", "sentiment failed: %v", t.SentimentErr)
		case t.Sentiment == nil:
			add(".sentiment", "no sentiment was scored")
		case !strings.EqualFold(t.Sentiment.Label, e.Sentiment):
			add(".sentiment", "sentiment is %s (score %.2f), not %s", t.Sentiment.Label, t.Sentiment.Score, e.Sentiment)
		}
	}
	return out
}

// checkTool says why no call in calls is of e.Tool with e.Arguments; ""
// when one is.
func checkTool(e *agent.Expect, calls []store.ToolCall) string {
	var named []store.ToolCall
	for _, c := range calls {
		if c.Name == e.Tool {
			named = append(named, c)
		}
	}
	if len(named) == 0 {
		if len(calls) == 0 {
			return fmt.Sprintf("no tool was called (expected %s)", e.Tool)
		}
		names := make([]string, len(calls))
		for i, c := range calls {
			names[i] = c.Name
		}
		return fmt.Sprintf("tool %s was not called (called: %s)", e.Tool, strings.Join(slices.Compact(names), ", "))
	}
	if len(e.Arguments) == 0 {
		return ""
	}
	want := normalize(e.Arguments)
	for _, c := range named {
		var got map[string]any
		if json.Unmarshal([]byte(c.Arguments), &got) != nil {
			continue
		}
		if matches(want, normalize(got)) {
			return ""
		}
	}
	b, _ := json.Marshal(e.Arguments)
	return fmt.Sprintf("tool %s was called with %s, not with %s", e.Tool, named[0].Arguments, b)
}

// matches reports whether got has every key of want with an equal value.
func matches(want, got map[string]any) bool {
	for k, v := range want {
		if g, ok := got[k]; !ok || !reflect.DeepEqual(g, v) {
			return false
		}
	}
	return true
}

// normalize gives m JSON's types (numbers as float64, lists as []any), so
// that YAML's values compare with a model's JSON.
func normalize(m map[string]any) map[string]any {
	b, err := json.Marshal(m)
	if err != nil {
		return m
	}
	var out map[string]any
	if json.Unmarshal(b, &out) != nil {
		return m
	}
	return out
}
