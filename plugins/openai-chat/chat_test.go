package main

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/parleyhq/parley/internal/oaifake"
	"github.com/parleyhq/parley/runtime/provider"
)

func TestDeltasArriveInOrder(t *testing.T) {
	f := newFixture(t, nil)
	f.srv.Enqueue(oaifake.ChatPath, oaifake.ChatStream(10*time.Millisecond,
		oaifake.Text("안녕"), oaifake.Text("하세요"), oaifake.Text(", how can "), oaifake.Text("I help?"), oaifake.Finish("stop")))
	got, err := f.complete(t.Context(), f.opts(nil))
	require.NoError(t, err)
	require.Equal(t, []provider.ChatDelta{{Text: "안녕"}, {Text: "하세요"}, {Text: ", how can "}, {Text: "I help?"}}, got)
}

func TestRequestCarriesPromptHistoryAndSampling(t *testing.T) {
	tests := []struct {
		name      string
		extra     provider.Options
		env       oaifake.Env
		wantModel string
		wantTemp  *float64
		wantMax   int
		wantTools bool
	}{
		{name: "defaults", wantModel: "gpt-4o", wantTools: true},
		{name: "OPENAI_MODEL", env: oaifake.Env{"TEST_OPENAI_KEY": testKey, "OPENAI_MODEL": "llama3.2"}, wantModel: "llama3.2", wantTools: true},
		{
			name:      "options",
			extra:     provider.Options{"model": "gpt-4o-mini", "temperature": 0.3, "max_tokens": 50, "end_call_tool": false},
			wantModel: "gpt-4o-mini", wantTemp: ptr(0.3), wantMax: 50,
		},
		{name: "temperature 0 is sent", extra: provider.Options{"temperature": 0}, wantModel: "gpt-4o", wantTemp: ptr(0.0), wantTools: true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := newFixture(t, tt.env)
			_, err := f.complete(t.Context(), f.opts(tt.extra),
				provider.Message{Role: provider.RoleUser, Content: "Where is my order?"},
				provider.Message{Role: provider.RoleAssistant, Content: "Which order number?"},
				provider.Message{Role: provider.RoleAssistant, Content: " "},
				provider.Message{Role: provider.RoleUser, Content: "주문번호는 1234입니다."},
			)
			require.NoError(t, err)
			reqs := f.srv.Requests(oaifake.ChatPath)
			require.Len(t, reqs, 1)
			got := reqs[0].Chat()
			assert.Equal(t, tt.wantModel, got.Model)
			assert.True(t, got.Stream)
			assert.Equal(t, "Bearer "+testKey, reqs[0].Authorization())
			assert.Equal(t, []oaifake.ChatMessage{
				{Role: "system", Content: "Be brief."},
				{Role: "user", Content: "Where is my order?"},
				{Role: "assistant", Content: "Which order number?"},
				{Role: "user", Content: "주문번호는 1234입니다."},
			}, got.Messages)
			if tt.wantTemp == nil {
				assert.Nil(t, got.Temperature)
			} else {
				require.NotNil(t, got.Temperature)
				assert.InDelta(t, *tt.wantTemp, *got.Temperature, 1e-6)
			}
			assert.Equal(t, tt.wantMax, got.MaxTokens)
			if tt.wantTools {
				require.Len(t, got.Tools, 1)
				assert.Equal(t, "end_call", got.Tools[0].Function.Name)
				assert.Contains(t, got.Tools[0].Function.Description, "goodbye")
			} else {
				assert.Empty(t, got.Tools)
			}
		})
	}
}

func TestNoKeyIsSentToACompatibleServerUnlessAsked(t *testing.T) {
	f := newFixture(t, oaifake.Env{"OPENAI_API_KEY": testKey})
	_, err := f.complete(t.Context(), provider.Options{"base_url": f.srv.URL, "model": "llama3.2"})
	require.NoError(t, err)
	reqs := f.srv.Requests(oaifake.ChatPath)
	require.Len(t, reqs, 1)
	assert.Empty(t, reqs[0].Authorization())
}

func TestEndCallTool(t *testing.T) {
	tests := []struct {
		name   string
		chunks []oaifake.Chunk
		want   []provider.ChatDelta
	}{
		{
			name: "goodbye then end_call with arguments in pieces",
			chunks: []oaifake.Chunk{
				oaifake.Text("Goodbye, "), oaifake.Text("have a nice day."),
				oaifake.ToolCallStart(0, "call_1", "end_call"), oaifake.ToolCallArgs(0, `{"rea`), oaifake.ToolCallArgs(0, `son":"done"}`),
				oaifake.Finish("tool_calls"),
			},
			want: []provider.ChatDelta{{Text: "Goodbye, "}, {Text: "have a nice day."}, {EndCall: true}},
		},
		{
			name:   "end_call alone emits nothing else",
			chunks: []oaifake.Chunk{oaifake.ToolCallStart(0, "call_1", "end_call"), oaifake.ToolCallArgs(0, "{}"), oaifake.Finish("tool_calls")},
			want:   []provider.ChatDelta{{EndCall: true}},
		},
		{
			name:   "malformed arguments still hang up",
			chunks: []oaifake.Chunk{oaifake.ToolCallStart(0, "call_1", "end_call"), oaifake.ToolCallArgs(0, "{oops"), oaifake.Finish("tool_calls")},
			want:   []provider.ChatDelta{{EndCall: true}},
		},
		{
			name: "another tool does not hang up",
			chunks: []oaifake.Chunk{
				oaifake.Text("One moment."), oaifake.ToolCallStart(0, "call_1", "lookup_order"), oaifake.ToolCallArgs(0, "{}"),
				oaifake.Finish("tool_calls"),
			},
			want: []provider.ChatDelta{{Text: "One moment."}, {ToolCalls: []provider.ToolCall{{ID: "call_1", Name: "lookup_order", Arguments: "{}"}}}},
		},
		{
			name: "end_call as the second of parallel calls",
			chunks: []oaifake.Chunk{
				oaifake.ToolCallStart(0, "call_1", "lookup_order"), oaifake.ToolCallStart(1, "call_2", "end_call"),
				oaifake.ToolCallArgs(0, "{}"), oaifake.ToolCallArgs(1, "{"), oaifake.ToolCallArgs(1, "}"), oaifake.Finish("tool_calls"),
			},
			want: []provider.ChatDelta{{ToolCalls: []provider.ToolCall{{ID: "call_1", Name: "lookup_order", Arguments: "{}"}}}, {EndCall: true}},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := newFixture(t, nil)
			f.srv.Enqueue(oaifake.ChatPath, oaifake.ChatStream(0, tt.chunks...))
			got, err := f.complete(t.Context(), f.opts(nil))
			require.NoError(t, err)
			assert.Equal(t, tt.want, got)
		})
	}
}

func TestCancelStopsTheStream(t *testing.T) {
	for _, how := range []string{"cancel context", "close stream"} {
		t.Run(how, func(t *testing.T) {
			f := newFixture(t, nil)
			f.srv.Enqueue(oaifake.ChatPath, oaifake.Hang("Let me "))
			ctx, cancel := context.WithCancel(t.Context())
			defer cancel()
			st, err := f.client.Chat.Complete(ctx, provider.ChatRequest{Messages: []provider.Message{{Role: provider.RoleUser, Content: "hi"}}, Options: f.opts(nil)})
			require.NoError(t, err)
			d, err := st.Recv()
			require.NoError(t, err)
			require.Equal(t, "Let me ", d.Text)

			start := time.Now()
			if how == "close stream" {
				require.NoError(t, st.Close())
			} else {
				cancel()
				_, err = st.Recv()
				require.ErrorIs(t, err, context.Canceled)
				require.NoError(t, st.Close())
			}
			require.Eventually(t, func() bool { return f.srv.Disconnects() == 1 }, 2*time.Second, 5*time.Millisecond,
				"the server should see the client go away")
			assert.Less(t, time.Since(start), time.Second)
		})
	}
}

func TestErrorsMapToSentinels(t *testing.T) {
	tests := []struct {
		name     string
		extra    provider.Options
		script   []oaifake.Handler
		want     error
		contains []string
		requests int
	}{
		{
			name:     "401",
			script:   []oaifake.Handler{oaifake.Unauthorized("Incorrect API key provided: " + testKey + ". You can find your API key at https://platform.openai.com/account/api-keys.")},
			want:     provider.ErrUnauthorized,
			contains: []string{"invalid API key", "Incorrect API key provided"},
			requests: 1,
		},
		{
			name:     "403",
			script:   []oaifake.Handler{oaifake.Error(403, "Project does not have access", "invalid_request_error", "")},
			want:     provider.ErrUnauthorized,
			contains: []string{"invalid API key"},
			requests: 1,
		},
		{
			name:     "400",
			script:   []oaifake.Handler{oaifake.Error(400, "messages: too long", "invalid_request_error", "")},
			want:     provider.ErrInvalidInput,
			contains: []string{"messages: too long"},
			requests: 1,
		},
		{
			name:     "404 model",
			extra:    provider.Options{"model": "gpt-9"},
			script:   []oaifake.Handler{oaifake.Error(404, "The model `gpt-9` does not exist", "invalid_request_error", "model_not_found")},
			want:     provider.ErrInvalidOptions,
			contains: []string{`model "gpt-9" not found`},
			requests: 1,
		},
		{
			name:     "429 until retries run out",
			extra:    provider.Options{"max_retries": 1},
			script:   []oaifake.Handler{oaifake.RateLimited("0"), oaifake.RateLimited("0"), oaifake.Reply("unused")},
			want:     provider.ErrRateLimited,
			requests: 2,
		},
		{
			name:     "500 max_retries+1 times",
			extra:    provider.Options{"max_retries": 2},
			script:   []oaifake.Handler{oaifake.ServerError(), oaifake.ServerError(), oaifake.ServerError(), oaifake.Reply("unused")},
			want:     provider.ErrUnavailable,
			contains: []string{"answered 500"},
			requests: 3,
		},
		{
			name:     "slow headers",
			extra:    provider.Options{"timeout": "200ms"},
			script:   []oaifake.Handler{oaifake.Slow(5*time.Second, oaifake.Reply("late"))},
			want:     provider.ErrTimeout,
			requests: 1,
		},
		{
			name:     "stalled stream",
			extra:    provider.Options{"timeout": "200ms"},
			script:   []oaifake.Handler{oaifake.ChatStream(5*time.Second, oaifake.Text("Hel"), oaifake.Text("lo"))},
			want:     provider.ErrTimeout,
			requests: 1,
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := newFixture(t, nil)
			f.srv.Enqueue(oaifake.ChatPath, tt.script...)
			start := time.Now()
			_, err := f.complete(t.Context(), f.opts(tt.extra))
			require.Error(t, err)
			t.Logf("error: %v", err)
			assert.True(t, errors.Is(err, tt.want), "got %v", err)
			for _, s := range tt.contains {
				assert.Contains(t, err.Error(), s)
			}
			assert.NotContains(t, err.Error(), testKey)
			assert.NotContains(t, f.logs.String(), testKey)
			assert.Len(t, f.srv.Requests(oaifake.ChatPath), tt.requests)
			assert.Less(t, time.Since(start), 3*time.Second)
		})
	}
}

func TestRetryAfterIsHonoured(t *testing.T) {
	f := newFixture(t, nil)
	f.srv.Enqueue(oaifake.ChatPath, oaifake.RateLimited("1"), oaifake.Reply("ok"))
	got, err := f.complete(t.Context(), f.opts(nil))
	require.NoError(t, err)
	require.Equal(t, []provider.ChatDelta{{Text: "ok"}}, got)
	reqs := f.srv.Requests(oaifake.ChatPath)
	require.Len(t, reqs, 2)
	gap := reqs[1].At.Sub(reqs[0].At)
	assert.GreaterOrEqual(t, gap, 900*time.Millisecond, "waited less than Retry-After: 1")
	assert.Less(t, gap, 3*time.Second)
	assert.Equal(t, reqs[0].Body, reqs[1].Body, "the retry must send the same body")
}

func TestRetryAfterPastTheDeadlineGivesUpAtOnce(t *testing.T) {
	f := newFixture(t, nil)
	f.srv.Enqueue(oaifake.ChatPath, oaifake.RateLimited("10"), oaifake.Reply("unused"))
	ctx, cancel := context.WithTimeout(t.Context(), 2*time.Second)
	defer cancel()
	start := time.Now()
	_, err := f.complete(ctx, f.opts(nil))
	require.ErrorIs(t, err, provider.ErrRateLimited)
	assert.Less(t, time.Since(start), time.Second)
	assert.Len(t, f.srv.Requests(oaifake.ChatPath), 1)
}

func TestUnreachableServerIsUnavailable(t *testing.T) {
	f := newFixture(t, nil)
	url := f.srv.URL
	f.srv.Close()
	_, err := f.complete(t.Context(), provider.Options{"base_url": url, "max_retries": 1})
	require.ErrorIs(t, err, provider.ErrUnavailable)
	assert.Contains(t, err.Error(), "cannot reach")
}

func TestBadRequestsFailBeforeSending(t *testing.T) {
	f := newFixture(t, nil)
	_, err := f.complete(t.Context(), f.opts(provider.Options{"temperature": "hot"}))
	require.ErrorIs(t, err, provider.ErrInvalidOptions)
	assert.Contains(t, err.Error(), "options.temperature")
	_, err = f.complete(t.Context(), f.opts(nil), provider.Message{Role: "robot", Content: "beep"})
	require.ErrorIs(t, err, provider.ErrInvalidInput)
	assert.Empty(t, f.srv.Requests(""))
}

func TestLogsNeverHoldTheKey(t *testing.T) {
	f := newFixture(t, nil)
	f.srv.Enqueue(oaifake.ChatPath, oaifake.ServerError(), oaifake.RateLimited("0"), oaifake.Unauthorized("bad key "+testKey))
	_, err := f.complete(t.Context(), f.opts(nil))
	require.ErrorIs(t, err, provider.ErrUnauthorized)
	logs := f.logs.String()
	require.Contains(t, logs, "retrying", "the test should exercise the retry log")
	assert.NotContains(t, logs, testKey)
	assert.False(t, strings.Contains(err.Error(), testKey))
}

func ptr[T any](v T) *T { return &v }
