package oaifake

import (
	"fmt"
	"net/http"
	"strings"
)

// Rule is one answer of a Dialog: it answers a chat request whose last
// user message contains When (case-insensitive; "" matches any).
type Rule struct {
	When string
	// Reply is the answer's text.
	Reply string
	// Tool, when set, is called in the same answer with Arguments (JSON,
	// "{}" when empty); AfterTool is the answer once its result comes back.
	Tool, Arguments, AfterTool string
	// Sentiment is the label a sentiment request (response_format
	// json_object) about a matching text gets: positive, neutral or
	// negative ("" for neutral).
	Sentiment string
}

// Dialog answers every chat request by the first rule that matches its
// last user message, so that a test can hold whole conversations with a
// deterministic model: text streamed, a tool called, and after the tool's
// result the rule's AfterTool. A request for JSON (the sentiment plugin's
// llm mode) gets {"sentiment", "score"} by the rules' Sentiment. A request
// no rule matches gets "I do not know." Install it with SetDefault.
func Dialog(rules ...Rule) Handler {
	return func(w http.ResponseWriter, r *http.Request, req *Request) {
		c := req.Chat()
		user, last := "", ""
		for _, m := range c.Messages {
			if m.Role == "user" {
				user = m.Content
			}
			last = m.Role
		}
		rule := Rule{Reply: "I do not know."}
		for _, ru := range rules {
			if strings.Contains(strings.ToLower(user), strings.ToLower(ru.When)) {
				rule = ru
				break
			}
		}
		switch {
		case c.ResponseFormat != nil:
			score := map[string]float64{"positive": 0.9, "negative": 0.1}[rule.Sentiment]
			label := rule.Sentiment
			if label == "" || score == 0 {
				label, score = "neutral", 0.5
			}
			ChatJSON(fmt.Sprintf(`{"sentiment": %q, "score": %g}`, label, score))(w, r, req)
		case last == "tool":
			Reply(rule.AfterTool)(w, r, req)
		case rule.Tool != "":
			args := rule.Arguments
			if args == "" {
				args = "{}"
			}
			chunks := []Chunk{Text(rule.Reply)}
			chunks = append(chunks, ToolCall(0, "call_"+rule.Tool, rule.Tool, args, 8)...)
			ChatStream(0, append(chunks, Finish("tool_calls"))...)(w, r, req)
		default:
			Reply(rule.Reply)(w, r, req)
		}
	}
}

// SetDefault makes h answer path whenever no scripted handler is queued
// (instead of the built-in default).
func (s *Server) SetDefault(path string, h Handler) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.defaults == nil {
		s.defaults = map[string]Handler{}
	}
	s.defaults[path] = h
}
