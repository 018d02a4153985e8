package main

import (
	"fmt"
	"maps"
	"slices"
	"strings"

	"github.com/parleyhq/parley/runtime/provider"
)

// The options, as the agent YAML writes them:
//
//	options:
//	  intents:                 # required, at least one; tried in order
//	    - name: order_status   # required, unique
//	      keywords: [order, delivery, "where is my package"]  # words or phrases
//	      reply: Most orders arrive within five days.
//	  fallback: Sorry, I did not catch that.   # required
//	  hangup:                  # optional: ends the call after its reply
//	    keywords: [goodbye, bye, "that's all"]
//	    reply: Thank you for calling. Goodbye!
//	  fuzzy: 0.8               # optional, in (0, 1]; 1 matches exact words only
//
// An intent may also call a tool (see tool.go): tool, missing_reply and
// tool_error_reply.
var (
	rootKeys   = []string{"intents", "fallback", "hangup", "fuzzy"}
	intentKeys = []string{"name", "keywords", "reply", "tool", "missing_reply", "tool_error_reply"}
	hangupKeys = []string{"keywords", "reply"}
)

// parser decodes options (as JSON decodes them: maps, []any, float64,
// string) into a script, collecting every problem with its path.
type parser struct {
	problems []provider.OptionProblem
}

func (p *parser) add(path, format string, args ...any) {
	p.problems = append(p.problems, provider.OptionProblem{Option: path, Message: fmt.Sprintf(format, args...)})
}

// parseScript decodes options into a script, or returns every problem.
func parseScript(opts map[string]any) (*script, []provider.OptionProblem) {
	var p parser
	s := &script{}
	s.setFuzzy(defaultFuzzy)
	p.unknownKeys("", opts, rootKeys)
	s.intents = p.intents(opts)
	if text, ok := p.text("fallback", opts["fallback"]); ok {
		s.fallback = newReply(text)
	}
	if raw, ok := opts["hangup"]; ok {
		s.hangup = p.hangup(raw)
	}
	if raw, ok := opts["fuzzy"]; ok {
		if f, isNum := raw.(float64); isNum && f > 0 && f <= 1 {
			s.setFuzzy(f)
		} else {
			p.add("fuzzy", "must be a number greater than 0 and at most 1 (1 matches exact words only), not %s", describe(raw))
		}
	}
	if len(p.problems) > 0 {
		return nil, p.problems
	}
	return s, nil
}

func (p *parser) intents(opts map[string]any) []intent {
	raw, ok := opts["intents"]
	if !ok {
		p.add("intents", "required: a list of intents, each with a name, keywords and a reply")
		return nil
	}
	list, ok := raw.([]any)
	if !ok || len(list) == 0 {
		p.add("intents", "must be a list of at least one intent, each with a name, keywords and a reply")
		return nil
	}
	intents := make([]intent, 0, len(list))
	firstWithName := map[string]int{}
	for i, item := range list {
		path := fmt.Sprintf("intents[%d]", i)
		m, ok := item.(map[string]any)
		if !ok {
			p.add(path, "must be a mapping with name, keywords and reply, not %s", describe(item))
			continue
		}
		p.unknownKeys(path+".", m, intentKeys)
		in := intent{}
		if name, ok := p.text(path+".name", m["name"]); ok {
			if j, dup := firstWithName[name]; dup {
				p.add(path+".name", "%q is already the name of intents[%d]", name, j)
			} else {
				firstWithName[name] = i
			}
			in.name = name
		}
		in.keywords = p.keywords(path+".keywords", m["keywords"])
		p.tool(path, m, &in)
		if text, ok := p.text(path+".reply", m["reply"]); ok {
			in.reply = newReply(text)
			if in.tool != nil {
				in.toolReply = p.template(path+".reply", text, "result", "arguments")
			}
		}
		intents = append(intents, in)
	}
	return intents
}

func (p *parser) hangup(raw any) *intent {
	m, ok := raw.(map[string]any)
	if !ok {
		p.add("hangup", "must be a mapping with keywords and reply, not %s", describe(raw))
		return nil
	}
	p.unknownKeys("hangup.", m, hangupKeys)
	in := &intent{name: "hangup", keywords: p.keywords("hangup.keywords", m["keywords"])}
	if text, ok := p.text("hangup.reply", m["reply"]); ok {
		in.reply = newReply(text)
	}
	return in
}

func (p *parser) keywords(path string, raw any) []keyword {
	if raw == nil {
		p.add(path, "required: a list of words or phrases")
		return nil
	}
	list, ok := raw.([]any)
	if !ok || len(list) == 0 {
		p.add(path, "must be a list of at least one word or phrase, not %s", describe(raw))
		return nil
	}
	keywords := make([]keyword, 0, len(list))
	for i, item := range list {
		itemPath := fmt.Sprintf("%s[%d]", path, i)
		text, ok := item.(string)
		if !ok {
			p.add(itemPath, "must be a word or phrase, not %s", describe(item))
			continue
		}
		k := keyword(terms(text))
		if len(k) == 0 {
			p.add(itemPath, "%q has no letters or digits to match", text)
			continue
		}
		keywords = append(keywords, k)
	}
	return keywords
}

// text reads a required string option, which must not be blank.
func (p *parser) text(path string, raw any) (string, bool) {
	if raw == nil {
		p.add(path, "required")
		return "", false
	}
	s, ok := raw.(string)
	if !ok {
		p.add(path, "must be text, not %s", describe(raw))
		return "", false
	}
	if strings.TrimSpace(s) == "" {
		p.add(path, "must not be empty")
		return "", false
	}
	return s, true
}

// unknownKeys reports the keys of m that are not in known, in sorted order.
func (p *parser) unknownKeys(prefix string, m map[string]any, known []string) {
	for _, k := range slices.Sorted(maps.Keys(m)) {
		if !slices.Contains(known, k) {
			p.add(prefix+k, "unknown option (known: %s)", strings.Join(known, ", "))
		}
	}
}

// describe names the kind of a decoded JSON value for messages.
func describe(v any) string {
	switch v := v.(type) {
	case nil:
		return "nothing"
	case string:
		return fmt.Sprintf("the text %q", v)
	case float64:
		return fmt.Sprintf("the number %v", v)
	case bool:
		return fmt.Sprintf("%v", v)
	case []any:
		return fmt.Sprintf("a list of %d", len(v))
	case map[string]any:
		return "a mapping"
	default:
		return fmt.Sprintf("%T", v)
	}
}
