package tools

import (
	"context"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/parleyhq/parley/runtime/agent"
	"github.com/parleyhq/parley/runtime/metrics"
	"github.com/parleyhq/parley/runtime/vars"
)

// shop is an operator's endpoint: it records the requests it gets.
type shop struct {
	mu   sync.Mutex
	reqs []*http.Request
	body []string
}

func (s *shop) handler(t *testing.T) http.Handler {
	mux := http.NewServeMux()
	record := func(r *http.Request) {
		b, _ := io.ReadAll(r.Body)
		s.mu.Lock()
		s.reqs = append(s.reqs, r)
		s.body = append(s.body, string(b))
		s.mu.Unlock()
	}
	mux.HandleFunc("/orders/", func(w http.ResponseWriter, r *http.Request) {
		record(r)
		_, _ = io.WriteString(w, `{"order": "`+strings.TrimPrefix(r.URL.EscapedPath(), "/orders/")+`",  "status": "shipped"}`)
	})
	mux.HandleFunc("/book", func(w http.ResponseWriter, r *http.Request) {
		record(r)
		w.WriteHeader(http.StatusCreated)
		_, _ = io.WriteString(w, `{"booked": true}`)
	})
	mux.HandleFunc("/html", func(w http.ResponseWriter, r *http.Request) { _, _ = io.WriteString(w, "<html>oops</html>") })
	mux.HandleFunc("/big", func(w http.ResponseWriter, r *http.Request) {
		_, _ = io.WriteString(w, `{"x":"`+strings.Repeat("a", 2000)+`"}`)
	})
	mux.HandleFunc("/fail", func(w http.ResponseWriter, r *http.Request) {
		http.Error(w, "database down", http.StatusInternalServerError)
	})
	mux.HandleFunc("/slow", func(w http.ResponseWriter, r *http.Request) {
		select {
		case <-r.Context().Done():
		case <-time.After(5 * time.Second):
		}
	})
	mux.HandleFunc("/redirect", func(w http.ResponseWriter, r *http.Request) {
		http.Redirect(w, r, "http://169.254.169.254/latest/meta-data/", http.StatusFound)
	})
	mux.HandleFunc("/empty", func(w http.ResponseWriter, r *http.Request) { w.WriteHeader(http.StatusNoContent) })
	return mux
}

func (s *shop) last(t *testing.T) (*http.Request, string) {
	t.Helper()
	s.mu.Lock()
	defer s.mu.Unlock()
	require.NotEmpty(t, s.reqs)
	return s.reqs[len(s.reqs)-1], s.body[len(s.body)-1]
}

// agentWith loads an agent file whose tools point at base.
func agentWith(t *testing.T, base string) *agent.Spec {
	t.Helper()
	y := `name: shop
language: en
system_prompt: You help.
providers:
  stt: {plugin: pocketsphinx}
  chat: {plugin: scripted}
  tts: {plugin: espeak}
variables:
  customer: {type: string, default: nobody}
  order_id: {type: integer, default: 0}
tools:
  - name: lookup_order
    description: Looks up an order.
    parameters:
      type: object
      properties:
        order_number: {type: string}
        detail: {type: boolean}
      required: [order_number]
    http:
      url: ` + base + `/orders/{{order_number}}?caller={{caller_number}}
      headers: {Authorization: "Bearer ${SHOP_TOKEN}"}
  - name: book
    description: Books a slot.
    parameters: {type: object, properties: {day: {type: string}, people: {type: integer}}, required: [day]}
    http: {method: POST, url: "` + base + `/book"}
  - name: book_templated
    description: Books with a body template.
    parameters: {type: object, properties: {day: {type: string}, people: {type: integer}}, required: [day]}
    http:
      method: POST
      url: "` + base + `/book"
      body: {day: "{{day}}", people: "{{people}}", who: "{{customer}} ({{caller_number}})", order: "{{order_id}}", tags: [fixed, "{{day}}"]}
  - {name: html, description: x, http: {url: "` + base + `/html"}}
  - {name: big, description: x, http: {url: "` + base + `/big", max_response_bytes: 1000}}
  - {name: fail, description: x, http: {url: "` + base + `/fail"}}
  - {name: slow, description: x, http: {url: "` + base + `/slow", timeout: 200ms}}
  - {name: redirect, description: x, http: {url: "` + base + `/redirect"}}
  - {name: empty, description: x, http: {method: DELETE, url: "` + base + `/empty"}}
  - {name: down, description: x, http: {url: "http://127.0.0.1:1/x"}}
  - {name: hang_up, end_call: {}}
  - name: transfer
    transfer_call: {destinations: {sales: "+4930123456"}, allow_numbers: true}
  - name: transfer_named
    transfer_call: {destinations: {support: "+4930654321"}}
`
	s, err := agent.Parse("shop.yaml", []byte(y))
	require.NoError(t, err)
	return s
}

func TestRun(t *testing.T) {
	sh := &shop{}
	srv := httptest.NewServer(sh.handler(t))
	t.Cleanup(srv.Close)
	spec := agentWith(t, srv.URL)
	r := New(WithEnv(func(k string) (string, bool) {
		if k == "SHOP_TOKEN" {
			return "s3cret", true
		}
		return "", false
	}))
	values := vars.Values{"caller_number": "+82 10&x=1", "customer": "Ada", "order_id": int64(42)}
	run := func(name, args string) Outcome {
		return r.Run(context.Background(), Call{Spec: spec, ID: "c1", Name: name, Arguments: args, Values: values})
	}

	t.Run("GET with templates escaped and the rest in the query", func(t *testing.T) {
		o := run("lookup_order", `{"order_number": "../admin?x=1", "detail": true}`)
		require.NoError(t, o.Err)
		require.Equal(t, metrics.ToolOK, o.Metric)
		req, _ := sh.last(t)
		require.Equal(t, "/orders/..%2Fadmin%3Fx=1", req.URL.EscapedPath(), "an argument cannot leave its path segment")
		require.Equal(t, "+82 10&x=1", req.URL.Query().Get("caller"), "a variable is escaped for the query")
		require.Equal(t, "true", req.URL.Query().Get("detail"))
		require.Empty(t, req.URL.Query().Get("order_number"), "an argument used in the URL is not repeated")
		require.Equal(t, "Bearer s3cret", req.Header.Get("Authorization"))
		require.JSONEq(t, `{"order": "..%2Fadmin%3Fx=1", "status": "shipped"}`, o.Content)
		require.Equal(t, o.Result, o.Content)
	})
	t.Run("POST sends the arguments as JSON", func(t *testing.T) {
		o := run("book", `{"day": "monday", "people": 4}`)
		require.NoError(t, o.Err)
		req, body := sh.last(t)
		require.Equal(t, http.MethodPost, req.Method)
		require.Equal(t, "application/json", req.Header.Get("Content-Type"))
		require.JSONEq(t, `{"day": "monday", "people": 4}`, body)
		require.JSONEq(t, `{"booked": true}`, o.Content)
	})
	t.Run("a body template keeps the types of whole-template values", func(t *testing.T) {
		o := run("book_templated", `{"day": "monday", "people": 4}`)
		require.NoError(t, o.Err)
		_, body := sh.last(t)
		require.JSONEq(t, `{"day":"monday","people":4,"who":"Ada (+82 10&x=1)","order":42,"tags":["fixed","monday"]}`, body)
	})
	for _, tc := range []struct {
		name, tool, args, want, metric string
	}{
		{"malformed arguments", "book", `{"day": `, "not valid JSON", metrics.ToolInvalidArguments},
		{"arguments against the schema", "book", `{"people": "four"}`, "do not match the parameters", metrics.ToolInvalidArguments},
		{"unknown tool", "delete_everything", `{}`, `no such tool: "delete_everything"`, metrics.ToolUnknown},
		{"not JSON", "html", `{}`, "not JSON", metrics.ToolError},
		{"too large", "big", `{}`, "larger than 1000 bytes", metrics.ToolError},
		{"HTTP 500", "fail", `{}`, "HTTP 500: database down", metrics.ToolError},
		{"timeout", "slow", `{}`, "did not answer in time (200ms)", metrics.ToolTimeout},
		{"redirect not followed", "redirect", `{}`, "HTTP 302", metrics.ToolError},
		{"down", "down", `{}`, "could not be reached", metrics.ToolError},
		{"unknown destination", "transfer_named", `{"destination": "+15551234567"}`, "value must be 'support'", metrics.ToolInvalidArguments},
	} {
		t.Run(tc.name, func(t *testing.T) {
			start := time.Now()
			o := run(tc.tool, tc.args)
			require.Error(t, o.Err)
			require.ErrorContains(t, o.Err, tc.want)
			require.Equal(t, tc.metric, o.Metric)
			var content map[string]string
			require.NoError(t, json.Unmarshal([]byte(o.Content), &content), "the model is told in JSON")
			require.Equal(t, o.Err.Error(), content["error"])
			require.Empty(t, o.Result)
			require.Less(t, time.Since(start), 3*time.Second)
		})
	}
	t.Run("no content", func(t *testing.T) {
		o := run("empty", `{}`)
		require.NoError(t, o.Err)
		require.Equal(t, `{}`, o.Content)
	})
	t.Run("end_call", func(t *testing.T) {
		o := run("hang_up", ``)
		require.NoError(t, o.Err)
		require.True(t, o.EndCall)
	})
	t.Run("transfer", func(t *testing.T) {
		o := run("transfer", `{"destination": "sales"}`)
		require.NoError(t, o.Err)
		require.Equal(t, "+4930123456", o.Transfer)
		require.Equal(t, "sales", o.Destination)
		o = run("transfer", `{"destination": "+1 555 123 4567"}`)
		require.NoError(t, o.Err)
		require.Equal(t, "+1 555 123 4567", o.Transfer)
		o = run("transfer", `{"destination": "drop table"}`)
		require.ErrorIs(t, o.Err, ErrInvalidArguments)
	})
	t.Run("a secret unset at call time", func(t *testing.T) {
		o := New(WithEnv(func(string) (string, bool) { return "", false })).Run(context.Background(),
			Call{Spec: spec, Name: "lookup_order", Arguments: `{"order_number": "1"}`})
		require.ErrorContains(t, o.Err, "needs SHOP_TOKEN")
		require.NotContains(t, o.Content, "s3cret")
	})
	t.Run("cancelled by the call", func(t *testing.T) {
		ctx, cancel := context.WithCancel(context.Background())
		cancel()
		o := r.Run(ctx, Call{Spec: spec, Name: "slow", Arguments: `{}`})
		require.Error(t, o.Err)
		require.False(t, errors.Is(o.Err, ErrTimeout))
	})
}
