package main

import (
	"encoding/json"
	"fmt"
	"maps"
	"regexp"
	"slices"
	"strings"
)

// An intent may call a tool, its arguments taken from the caller's words:
//
//	intents:
//	  - name: order_status
//	    keywords: [order, tracking]
//	    tool:
//	      name: lookup_order                    # a tool of the agent
//	      arguments: {order_number: "{digits}"} # {digits}: the number heard
//	      say: Let me check that.               # optional, spoken before the call
//	    missing_reply: What is your order number?   # required with {digits}
//	    reply: Your order {{result.status}}.        # once the tool answered
//	    tool_error_reply: Sorry, I cannot check orders right now.
var toolKeys = []string{"name", "arguments", "say"}

// toolName is what OpenAI and the runtime accept as a function name.
var toolName = regexp.MustCompile(`^[A-Za-z0-9_-]{1,64}$`)

// placeholder is a {word} in an argument.
var placeholder = regexp.MustCompile(`\{([^{}]*)\}`)

// placeholders are what arguments may take from the caller's turn.
var placeholders = []string{"digits", "text"}

// intentTool is the tool an intent calls.
type intentTool struct {
	name string
	// arguments is the JSON object sent, its strings' placeholders filled
	// from the turn.
	arguments map[string]any
	say       string
	// needsDigits is set when an argument uses {digits}: without digits
	// in the turn the intent asks for them instead of calling.
	needsDigits bool
	// errorReply is spoken when the tool failed or is not offered.
	errorReply template
	// missing is spoken when digits are needed and none were heard.
	missing reply
}

// tool reads an intent's tool keys; in is the intent being built.
func (p *parser) tool(path string, m map[string]any, in *intent) {
	raw, has := m["tool"]
	if !has {
		for _, k := range []string{"tool_error_reply", "missing_reply"} {
			if _, ok := m[k]; ok {
				p.add(path+"."+k, "only an intent with a tool takes %s", k)
			}
		}
		return
	}
	tm, ok := raw.(map[string]any)
	if !ok {
		p.add(path+".tool", "must be a mapping with name and arguments, not %s", describe(raw))
		return
	}
	p.unknownKeys(path+".tool.", tm, toolKeys)
	t := &intentTool{arguments: map[string]any{}}
	if name, ok := p.text(path+".tool.name", tm["name"]); ok {
		if !toolName.MatchString(name) {
			p.add(path+".tool.name", "%q must be 1 to 64 letters, digits, _ or -", clip(name))
		}
		t.name = name
	}
	if args, ok := tm["arguments"]; ok {
		if am, isMap := args.(map[string]any); isMap {
			t.arguments = am
			t.needsDigits = p.placeholders(path+".tool.arguments", am)
		} else {
			p.add(path+".tool.arguments", "must be a mapping of argument names to values, not %s", describe(args))
		}
	}
	if s, ok := tm["say"]; ok {
		if text, ok := p.text(path+".tool.say", s); ok {
			t.say = text
		}
	}
	if text, ok := p.text(path+".tool_error_reply", m["tool_error_reply"]); ok {
		t.errorReply = p.template(path+".tool_error_reply", text, "arguments")
	}
	if raw, ok := m["missing_reply"]; ok || t.needsDigits {
		if !t.needsDigits {
			p.add(path+".missing_reply", "only an intent whose tool arguments use {digits} asks for them")
		} else if text, ok := p.text(path+".missing_reply", raw); ok {
			t.missing = newReply(text)
		}
	}
	in.tool = t
}

// placeholders checks the {...} in the strings of v and reports whether
// {digits} is among them.
func (p *parser) placeholders(path string, v any) bool {
	digits := false
	switch v := v.(type) {
	case string:
		for _, m := range placeholder.FindAllStringSubmatch(v, -1) {
			if !slices.Contains(placeholders, m[1]) {
				p.add(path, "unknown placeholder {%s} (known: {digits}, {text})", clip(m[1]))
			}
			digits = digits || m[1] == "digits"
		}
	case map[string]any:
		for _, k := range slices.Sorted(maps.Keys(v)) {
			digits = p.placeholders(path+"."+k, v[k]) || digits
		}
	case []any:
		for i, item := range v {
			digits = p.placeholders(fmt.Sprintf("%s[%d]", path, i), item) || digits
		}
	}
	return digits
}

// template parses a reply with fields from sources, reporting problems.
func (p *parser) template(path, text string, sources ...string) template {
	t, problems := parseTemplate(text, sources...)
	for _, pr := range problems {
		p.add(path, "%s", pr)
	}
	return t
}

// callArguments is the arguments' JSON with the placeholders filled from
// the caller's words.
func (t *intentTool) callArguments(heard, digits string) (string, error) {
	fill := strings.NewReplacer("{digits}", digits, "{text}", heard)
	b, err := json.Marshal(fillStrings(t.arguments, fill))
	if err != nil {
		return "", fmt.Errorf("tool %s arguments: %w", t.name, err)
	}
	return string(b), nil
}

func fillStrings(v any, r *strings.Replacer) any {
	switch v := v.(type) {
	case string:
		return r.Replace(v)
	case map[string]any:
		out := make(map[string]any, len(v))
		for k, item := range v {
			out[k] = fillStrings(item, r)
		}
		return out
	case []any:
		out := make([]any, len(v))
		for i, item := range v {
			out[i] = fillStrings(item, r)
		}
		return out
	}
	return v
}
