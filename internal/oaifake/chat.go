package oaifake

import (
	"encoding/json"
	"fmt"
	"net/http"
	"strings"
	"time"
)

// Chunk is one event of a streamed chat completion: a piece of text, a
// piece of a tool call, or the finish reason.
type Chunk struct {
	Content string
	// ToolCall, when set, is a tool_calls delta.
	ToolCall *ToolCallDelta
	// FinishReason ends the choice ("stop", "tool_calls").
	FinishReason string
}

// ToolCallDelta is a piece of a tool call as OpenAI streams it: the first
// piece has the id and the function name, later ones only argument text.
type ToolCallDelta struct {
	Index     int
	ID        string
	Name      string
	Arguments string
}

// Text is a content chunk.
func Text(s string) Chunk { return Chunk{Content: s} }

// ToolCallStart is the first chunk of a tool call.
func ToolCallStart(index int, id, name string) Chunk {
	return Chunk{ToolCall: &ToolCallDelta{Index: index, ID: id, Name: name}}
}

// ToolCallArgs is a later chunk of a tool call: a piece of its JSON arguments.
func ToolCallArgs(index int, piece string) Chunk {
	return Chunk{ToolCall: &ToolCallDelta{Index: index, Arguments: piece}}
}

// ToolCall is a whole tool call streamed as OpenAI does: a first chunk with
// the id and name, then the arguments cut into pieces of at most n bytes
// (n < 1: one piece).
func ToolCall(index int, id, name, args string, n int) []Chunk {
	out := []Chunk{ToolCallStart(index, id, name)}
	if n < 1 {
		n = len(args)
	}
	for len(args) > 0 {
		k := min(n, len(args))
		out = append(out, ToolCallArgs(index, args[:k]))
		args = args[k:]
	}
	return out
}

// Finish is the last chunk of a choice.
func Finish(reason string) Chunk { return Chunk{FinishReason: reason} }

// Reply answers a chat completion with parts as content deltas (streamed)
// or with their concatenation (one JSON answer), whichever was asked.
func Reply(parts ...string) Handler {
	return func(w http.ResponseWriter, r *http.Request, req *Request) {
		if !req.Chat().Stream {
			ChatJSON(strings.Join(parts, ""))(w, r, req)
			return
		}
		chunks := make([]Chunk, 0, len(parts)+1)
		for _, p := range parts {
			chunks = append(chunks, Text(p))
		}
		ChatStream(0, append(chunks, Finish("stop"))...)(w, r, req)
	}
}

// ChatStream streams chunks as server-sent events, pausing delay between
// them, then data: [DONE]. It stops early when the client goes away.
func ChatStream(delay time.Duration, chunks ...Chunk) Handler {
	return func(w http.ResponseWriter, r *http.Request, req *Request) {
		sse := startSSE(w)
		for i, c := range chunks {
			if i > 0 && !pause(r, delay) {
				return
			}
			if !sse.event(chunkJSON(req.Chat().Model, i == 0, c)) {
				return
			}
		}
		sse.event("[DONE]")
	}
}

// Gated streams chunks like ChatStream but waits before chunk at until gate
// is closed, so a test can see what the client got before the rest.
func Gated(gate <-chan struct{}, at int, chunks ...Chunk) Handler {
	return func(w http.ResponseWriter, r *http.Request, req *Request) {
		sse := startSSE(w)
		for i, c := range chunks {
			if i == at {
				select {
				case <-gate:
				case <-r.Context().Done():
					return
				}
			}
			if !sse.event(chunkJSON(req.Chat().Model, i == 0, c)) {
				return
			}
		}
		sse.event("[DONE]")
	}
}

// Hang streams parts as content deltas, then sends nothing more until the
// client goes away (which Server.Disconnects counts).
func Hang(parts ...string) Handler {
	return func(w http.ResponseWriter, r *http.Request, req *Request) {
		sse := startSSE(w)
		for i, p := range parts {
			sse.event(chunkJSON(req.Chat().Model, i == 0, Text(p)))
		}
		<-r.Context().Done()
	}
}

// ChatJSON answers a non-streamed chat completion whose message content is
// content (for response_format json_object, a JSON text).
func ChatJSON(content string) Handler {
	return func(w http.ResponseWriter, r *http.Request, req *Request) {
		writeJSON(w, http.StatusOK, map[string]any{
			"id": "chatcmpl-fake", "object": "chat.completion", "created": time.Now().Unix(), "model": req.Chat().Model,
			"choices": []any{map[string]any{
				"index": 0, "finish_reason": "stop",
				"message": map[string]any{"role": "assistant", "content": content},
			}},
			"usage": map[string]any{"prompt_tokens": 10, "completion_tokens": 5, "total_tokens": 15},
		})
	}
}

// chunkJSON renders one chat.completion.chunk.
func chunkJSON(model string, first bool, c Chunk) string {
	delta := map[string]any{}
	if first {
		delta["role"] = "assistant"
	}
	if c.Content != "" {
		delta["content"] = c.Content
	}
	if tc := c.ToolCall; tc != nil {
		call := map[string]any{"index": tc.Index, "function": map[string]any{"arguments": tc.Arguments}}
		if tc.ID != "" {
			call["id"], call["type"] = tc.ID, "function"
			call["function"].(map[string]any)["name"] = tc.Name
		}
		delta["tool_calls"] = []any{call}
	}
	var finish any
	if c.FinishReason != "" {
		finish = c.FinishReason
	}
	b, _ := json.Marshal(map[string]any{
		"id": "chatcmpl-fake", "object": "chat.completion.chunk", "created": time.Now().Unix(), "model": model,
		"choices": []any{map[string]any{"index": 0, "delta": delta, "finish_reason": finish}},
	})
	return string(b)
}

// sse writes server-sent events, flushing each.
type sse struct {
	w http.ResponseWriter
	f http.Flusher
}

func startSSE(w http.ResponseWriter) *sse {
	w.Header().Set("Content-Type", "text/event-stream")
	w.Header().Set("Cache-Control", "no-cache")
	w.WriteHeader(http.StatusOK)
	f, _ := w.(http.Flusher)
	s := &sse{w: w, f: f}
	s.flush()
	return s
}

// event writes one "data:" line; false when the client is gone.
func (s *sse) event(data string) bool {
	if _, err := fmt.Fprintf(s.w, "data: %s\n\n", data); err != nil {
		return false
	}
	s.flush()
	return true
}

func (s *sse) flush() {
	if s.f != nil {
		s.f.Flush()
	}
}
