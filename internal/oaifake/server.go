// Package oaifake is a fake OpenAI API for tests: an httptest server that
// speaks the wire format of chat completions (streamed as server-sent
// events, or one JSON answer), audio transcriptions (multipart in,
// verbose_json out) and speech (raw PCM, written in timed parts). Each
// test scripts its answers per endpoint, injects errors (401 with OpenAI's
// error body, 429 with Retry-After, 500, slow answers) and asserts on the
// log of what was sent. It never touches the network beyond loopback.
package oaifake

import (
	"bytes"
	"encoding/json"
	"io"
	"mime"
	"mime/multipart"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"
)

// The endpoints the fake serves, as paths under its root.
const (
	ChatPath          = "/v1/chat/completions"
	TranscriptionPath = "/v1/audio/transcriptions"
	SpeechPath        = "/v1/audio/speech"
)

// Handler answers one request. req is the request as logged (body already
// read and parsed); r's context ends when the client goes away.
type Handler func(w http.ResponseWriter, r *http.Request, req *Request)

// Server is a running fake. Scripted handlers are used once each, in
// order, per path; when a path's queue is empty its default answers (a
// short reply, a transcription of "hello", half a second of speech).
type Server struct {
	// URL is the base URL to configure clients with (it ends in /v1).
	URL string

	srv *httptest.Server

	mu          sync.Mutex
	queues      map[string][]Handler
	requests    []Request
	disconnects int
}

// New starts a fake that is closed when the test ends.
func New(t testing.TB) *Server {
	t.Helper()
	s := &Server{queues: map[string][]Handler{}}
	s.srv = httptest.NewServer(http.HandlerFunc(s.serve))
	s.URL = s.srv.URL + "/v1"
	t.Cleanup(s.Close)
	return s
}

// Close stops the server, waiting for handlers that are still running
// (every handler here returns once its client goes away).
func (s *Server) Close() {
	s.srv.CloseClientConnections()
	s.srv.Close()
}

// Enqueue scripts the next answers of path, one handler per request.
func (s *Server) Enqueue(path string, hs ...Handler) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.queues[path] = append(s.queues[path], hs...)
}

// Requests returns the log of requests to path ("" for all), oldest first.
func (s *Server) Requests(path string) []Request {
	s.mu.Lock()
	defer s.mu.Unlock()
	var out []Request
	for _, r := range s.requests {
		if path == "" || r.Path == path {
			out = append(out, r)
		}
	}
	return out
}

// Disconnects counts the requests whose client went away before their
// handler finished (a cancelled stream, a timed-out client).
func (s *Server) Disconnects() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.disconnects
}

func (s *Server) serve(w http.ResponseWriter, r *http.Request) {
	req := readRequest(r)
	s.mu.Lock()
	s.requests = append(s.requests, *req)
	h := s.next(r.URL.Path)
	s.mu.Unlock()
	if h == nil {
		Error(http.StatusNotFound, "Unknown request URL: "+r.Method+" "+r.URL.Path, "invalid_request_error", "unknown_url")(w, r, req)
		return
	}
	h(w, r, req)
	if r.Context().Err() != nil {
		s.mu.Lock()
		s.disconnects++
		s.mu.Unlock()
	}
}

// next pops the scripted handler of path, or its default. Called with mu held.
func (s *Server) next(path string) Handler {
	if q := s.queues[path]; len(q) > 0 {
		s.queues[path] = q[1:]
		return q[0]
	}
	switch path {
	case ChatPath:
		return Reply("Hello", " there.")
	case TranscriptionPath:
		return Transcription("hello", "english")
	case SpeechPath:
		return Speech(make([]byte, 24000), 4, 0)
	}
	return nil
}

// Request is one logged request.
type Request struct {
	At     time.Time
	Method string
	Path   string
	Header http.Header
	Body   []byte
	// JSON is the decoded body of a JSON request.
	JSON map[string]any
	// Fields are the text fields of a multipart request.
	Fields map[string]string
	// File and FileName are the "file" part of a multipart request.
	File     []byte
	FileName string
}

// Authorization returns the Authorization header ("" when absent).
func (r *Request) Authorization() string { return r.Header.Get("Authorization") }

// Chat decodes a chat completion request.
func (r *Request) Chat() ChatRequest {
	var c ChatRequest
	_ = json.Unmarshal(r.Body, &c)
	return c
}

// ChatRequest is what the fake reads of a chat completion request.
type ChatRequest struct {
	Model               string         `json:"model"`
	Messages            []ChatMessage  `json:"messages"`
	Stream              bool           `json:"stream"`
	Temperature         *float64       `json:"temperature"`
	MaxTokens           int            `json:"max_tokens"`
	MaxCompletionTokens int            `json:"max_completion_tokens"`
	Tools               []Tool         `json:"tools"`
	ResponseFormat      map[string]any `json:"response_format"`
}

// ChatMessage is one message of a chat completion request.
type ChatMessage struct {
	Role       string `json:"role"`
	Content    string `json:"content"`
	ToolCallID string `json:"tool_call_id,omitempty"`
	// ToolCalls are the calls of an assistant message.
	ToolCalls []MessageToolCall `json:"tool_calls,omitempty"`
}

// MessageToolCall is a tool call in an assistant message of the history.
type MessageToolCall struct {
	ID       string `json:"id"`
	Type     string `json:"type"`
	Function struct {
		Name      string `json:"name"`
		Arguments string `json:"arguments"`
	} `json:"function"`
}

// Tool is one tool offered to the model.
type Tool struct {
	Type     string `json:"type"`
	Function struct {
		Name        string         `json:"name"`
		Description string         `json:"description"`
		Parameters  map[string]any `json:"parameters"`
	} `json:"function"`
}

// readRequest reads and parses r's body, leaving a copy in r for handlers.
func readRequest(r *http.Request) *Request {
	body, _ := io.ReadAll(r.Body)
	r.Body = io.NopCloser(bytes.NewReader(body))
	req := &Request{At: time.Now(), Method: r.Method, Path: r.URL.Path, Header: r.Header.Clone(), Body: body}
	mediaType, params, _ := mime.ParseMediaType(r.Header.Get("Content-Type"))
	switch {
	case mediaType == "application/json":
		_ = json.Unmarshal(body, &req.JSON)
	case strings.HasPrefix(mediaType, "multipart/"):
		req.Fields = map[string]string{}
		mr := multipart.NewReader(bytes.NewReader(body), params["boundary"])
		for {
			p, err := mr.NextPart()
			if err != nil {
				break
			}
			data, _ := io.ReadAll(p)
			if p.FormName() == "file" {
				req.File, req.FileName = data, p.FileName()
			} else {
				req.Fields[p.FormName()] = string(data)
			}
		}
	}
	return req
}
