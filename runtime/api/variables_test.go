package api

import (
	"bytes"
	"context"
	"encoding/base64"
	"mime/multipart"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/parleyhq/parley/runtime/agent"
	"github.com/parleyhq/parley/runtime/audio"
	"github.com/parleyhq/parley/runtime/pcm"
	"github.com/parleyhq/parley/runtime/provider"
	"github.com/parleyhq/parley/runtime/provider/host"
)

// shopAgent declares variables of each type.
const shopAgent = `name: shop
language: en
timezone: Asia/Seoul
system_prompt: You help {{customer}} with order {{order_id}} ({{amount}}, vip {{vip}}).
greeting: Hello {{customer}}!
variables:
  customer: {type: string, required: true}
  order_id: {type: integer}
  amount: {type: number, default: 9.5}
  vip: {type: boolean, default: false}
providers:
  stt: {plugin: pocketsphinx}
  chat: {plugin: scripted}
  tts: {plugin: espeak}
`

// addShop adds shopAgent to the harness's agents.
func (h *harness) addShop(t *testing.T) {
	t.Helper()
	require.NoError(t, os.WriteFile(filepath.Join(h.dir, "agents", "shop.yaml"), []byte(shopAgent), 0o600))
	require.NoError(t, h.reg.Reload())
	_, err := h.reg.Get("shop")
	require.NoError(t, err)
}

func TestCreateCallVariables(t *testing.T) {
	h := newHarness(t)
	h.addShop(t)

	r := h.json(t, http.MethodPost, "/api/v1/calls", `{"callerNumber":"01012345678","agent":"shop","variables":{"customer":"Ada","order_id":9007199254740993}}`)
	require.Equal(t, http.StatusCreated, r.Status, "%s", r.Raw)
	want := map[string]any{"customer": "Ada", "order_id": 9007199254740993.0, "amount": 9.5, "vip": false}
	require.Equal(t, want, r.data("call", "variables"), "given values and the defaults")
	require.Contains(t, string(r.Raw), `"order_id":9007199254740993`, "a large integer is kept exactly")
	id := r.data("call", "id").(string)

	stored, err := h.store.Call(t.Context(), id)
	require.NoError(t, err)
	require.Equal(t, int64(9007199254740993), stored.Variables["order_id"])
	require.Equal(t, "Ada", stored.Variables["customer"])

	got := h.do(t, http.MethodGet, "/api/v1/calls/"+id, "", nil)
	require.Equal(t, http.StatusOK, got.Status)
	require.Equal(t, want, got.data("call", "variables"))
	spec, ok := h.calls.AgentSpec(id)
	require.True(t, ok)
	require.Equal(t, "You help Ada with order 9007199254740993 (9.5, vip false).",
		spec.RenderForCall(id, stored.CallerNumber.String(), stored.Variables, stored.CreatedAt).SystemPrompt)

	// The agent listing shows what a call may give.
	agents := h.do(t, http.MethodGet, "/api/v1/agents", "", nil)
	var shop map[string]any
	for _, a := range agents.data("agents").([]any) {
		if a.(map[string]any)["name"] == "shop" {
			shop = a.(map[string]any)
		}
	}
	require.Equal(t, map[string]any{"type": "integer"}, shop["variables"].(map[string]any)["order_id"])
	require.Equal(t, map[string]any{"type": "number", "default": 9.5}, shop["variables"].(map[string]any)["amount"])

	// An agent without declarations: no variables in the call's JSON.
	plain := h.newCall(t)
	require.NotContains(t, plain, "variables")
}

func TestCreateCallBadVariables(t *testing.T) {
	h := newHarness(t)
	h.addShop(t)
	before := h.countCalls(t)
	for _, tc := range []struct{ name, variables, want string }{
		{"missing required", `{"order_id":1}`, "variables.customer: is required (string) (agent shop)"},
		{"no variables at all", `null`, "variables.customer: is required"},
		{"wrong type", `{"customer":"Ada","order_id":"12"}`, `variables.order_id: must be a whole number (integer), not "12"`},
		{"fraction for an integer", `{"customer":"Ada","order_id":1.5}`, "variables.order_id: must be a whole number (integer), not the number 1.5"},
		{"boolean as text", `{"customer":"Ada","vip":"yes"}`, `variables.vip: must be true or false, not "yes"`},
		{"null value", `{"customer":null}`, "variables.customer: must be a string, not null"},
		{"unknown", `{"customer":"Ada","colour":"red"}`, "variables.colour: is not declared by this agent (it declares amount, customer, order_id, vip)"},
		{"built-in", `{"customer":"Ada","caller_number":"0"}`, "variables.caller_number: is a built-in variable"},
		{"several", `{"order_id":"x","colour":1}`, "variables: colour: is not declared"},
		{"too long", `{"customer":"` + strings.Repeat("a", 4097) + `"}`, "variables.customer: is 4097 bytes; the limit is 4096"},
		{"too many", manyVariables(65), "variables: 65 values given; the limit is 64"},
		{"not an object", `["customer"]`, "variables must be an object, not array"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			r := h.json(t, http.MethodPost, "/api/v1/calls", `{"callerNumber":"01012345678","agent":"shop","variables":`+tc.variables+`}`)
			requireError(t, r, http.StatusBadRequest, CodeValidation, tc.want)
		})
	}
	requireError(t, h.json(t, http.MethodPost, "/api/v1/calls", `{"callerNumber":"01012345678","variables":{"customer":"Ada"}}`),
		http.StatusBadRequest, CodeValidation, "variables.customer: is not declared: this agent declares no variables (agent default)")
	requireError(t, h.json(t, http.MethodPost, "/api/v1/calls", `{"callerNumber":"01012345678","receiverNumber":"01087654321","variables":{"customer":"Ada"}}`),
		http.StatusBadRequest, CodeValidation, "variables: a call with receiverNumber connects two people")
	require.Equal(t, before, h.countCalls(t), "no call was created")
}

func manyVariables(n int) string {
	parts := make([]string, n)
	for i := range parts {
		parts[i] = `"v` + strings.Repeat("x", i) + `":"a"`
	}
	return "{" + strings.Join(parts, ",") + "}"
}

// TestTokenVariables: in key mode the variables of a browser's call come
// from its token, which only a key holder can mint.
func TestTokenVariables(t *testing.T) {
	g := testGuard(t)
	h := newGuardedHarness(t, g, nil, nil)
	h.addShop(t)

	// Minting checks the variables against the agent.
	requireError(t, h.send(t, "POST", "/api/v1/tokens", testKey, `{"agent":"shop","variables":{"order_id":7}}`),
		http.StatusBadRequest, CodeValidation, "variables.customer: is required")
	requireError(t, h.send(t, "POST", "/api/v1/tokens", testKey, `{"agent":"shop","variables":{"customer":"Ada","x":1}}`),
		http.StatusBadRequest, CodeValidation, "variables.x: is not declared")
	requireError(t, h.send(t, "POST", "/api/v1/tokens", testKey, `{"agent":"shop","variables":{"customer":"`+strings.Repeat("a", 1100)+`"}}`),
		http.StatusBadRequest, CodeValidation, "variables: too many variables for a call token: they take 1115 bytes of JSON; the limit is 1024")

	r := h.send(t, "POST", "/api/v1/tokens", testKey, `{"agent":"shop","variables":{"customer":"Ada","order_id":42}}`)
	require.Equal(t, http.StatusCreated, r.Status, "%s", r.Raw)
	tok := r.data("token", "token").(string)
	claims, err := base64.RawURLEncoding.DecodeString(strings.Split(tok, ".")[1])
	require.NoError(t, err)
	require.Contains(t, string(claims), `"var":{"customer":"Ada","order_id":42}`, "only the given values are signed")

	// The browser cannot set or override variables, not even ones the
	// token leaves to their defaults.
	requireError(t, h.send(t, "POST", "/api/v1/calls", tok, `{"callerNumber":"01012345678","variables":{"customer":"Mallory"}}`),
		http.StatusForbidden, CodeForbidden, "variables: a call made with a call token takes the variables signed into the token")
	requireError(t, h.send(t, "POST", "/api/v1/calls", tok, `{"callerNumber":"01012345678","variables":{"vip":true}}`),
		http.StatusForbidden, CodeForbidden, "the request cannot set any")
	require.Zero(t, h.countCalls(t))

	r = h.send(t, "POST", "/api/v1/calls", tok, `{"callerNumber":"01012345678","variables":{}}`)
	require.Equal(t, http.StatusCreated, r.Status, "%s", r.Raw)
	require.Equal(t, "shop", r.data("call", "agent"), "the token's agent")
	require.Nil(t, r.data("call", "variables"), "the token's holder is not shown the agent's defaults")
	stored, err := h.store.Call(t.Context(), r.data("call", "id").(string))
	require.NoError(t, err)
	require.Equal(t, map[string]any{"customer": "Ada", "order_id": int64(42), "amount": 9.5, "vip": false}, stored.Variables)

	// A token with the most variables it may carry still fits in a
	// request header.
	r = h.send(t, "POST", "/api/v1/tokens", testKey, `{"agent":"shop","variables":{"customer":"`+strings.Repeat("é", 504)+`"}}`)
	require.Equal(t, http.StatusCreated, r.Status, "%s", r.Raw)
	big := r.data("token", "token").(string)
	require.Greater(t, len(big), 1400)
	r = h.send(t, "POST", "/api/v1/calls", big, `{"callerNumber":"01012345678"}`)
	require.Equal(t, http.StatusCreated, r.Status, "%s", r.Raw)

	// A key holder sets them directly.
	r = h.send(t, "POST", "/api/v1/calls", testKey, `{"callerNumber":"01012345678","agent":"shop","variables":{"customer":"Bob"}}`)
	require.Equal(t, http.StatusCreated, r.Status, "%s", r.Raw)
	require.Equal(t, "Bob", r.data("call", "variables", "customer"))
}

// promptProviders answer conversation/process and record the system prompt
// the chat provider was given.
type promptProviders struct{ prompts chan string }

func (p promptProviders) For(*agent.Spec) (host.Providers, error) {
	return host.Providers{STT: p, Chat: p, TTS: p}, nil
}

func (promptProviders) StreamSTT(context.Context, provider.STTConfig) (provider.STTStream, error) {
	return nil, provider.ErrUnsupported
}

func (promptProviders) Transcribe(context.Context, provider.TranscribeRequest) (provider.Transcript, error) {
	return provider.Transcript{Text: "where is my order"}, nil
}

func (p promptProviders) Complete(ctx context.Context, req provider.ChatRequest) (provider.Stream[provider.ChatDelta], error) {
	p.prompts <- req.SystemPrompt
	return provider.Produce(ctx, func(_ context.Context, send func(provider.ChatDelta) error) error {
		return send(provider.ChatDelta{Text: "It is on its way."})
	}), nil
}

func (promptProviders) Synthesize(ctx context.Context, _ provider.TTSRequest) (provider.Stream[pcm.Audio], error) {
	return provider.Produce(ctx, func(_ context.Context, send func(pcm.Audio) error) error {
		return send(pcm.Audio{Samples: make([]int16, 160), Rate: 16000})
	}), nil
}

// TestProcessRendersSystemPrompt: conversation/process gives the chat
// provider the agent's system prompt rendered with the call's variables; a
// client's own systemPrompt is used as sent.
func TestProcessRendersSystemPrompt(t *testing.T) {
	p := promptProviders{prompts: make(chan string, 4)}
	h := newHarnessWith(t, p)
	h.addShop(t)
	r := h.json(t, http.MethodPost, "/api/v1/calls", `{"callerNumber":"01012345678","agent":"shop","variables":{"customer":"Ada","order_id":42}}`)
	require.Equal(t, http.StatusCreated, r.Status, "%s", r.Raw)
	id := r.data("call", "id").(string)

	wav := func(prompt string) response {
		var body bytes.Buffer
		w := multipart.NewWriter(&body)
		require.NoError(t, w.WriteField("callId", id))
		if prompt != "" {
			require.NoError(t, w.WriteField("systemPrompt", prompt))
		}
		fw, err := w.CreateFormFile("audio", "a.wav")
		require.NoError(t, err)
		_, _ = fw.Write(audio.EncodeWAV(pcm.Audio{Samples: make([]int16, 1600), Rate: 16000}))
		require.NoError(t, w.Close())
		return h.do(t, http.MethodPost, "/api/v1/calls/conversation/process", w.FormDataContentType(), body.Bytes())
	}
	r = wav("")
	require.Equal(t, http.StatusOK, r.Status, "%s", r.Raw)
	require.Equal(t, "You help Ada with order 42 (9.5, vip false).", <-p.prompts)

	r = wav("Answer {{customer}} in French.")
	require.Equal(t, http.StatusOK, r.Status, "%s", r.Raw)
	require.Equal(t, "Answer {{customer}} in French.", <-p.prompts, "a client's prompt is not rendered")
}
