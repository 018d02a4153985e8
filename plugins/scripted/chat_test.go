package main

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
	"go.uber.org/goleak"

	"github.com/parleyhq/parley/runtime/provider"
	"github.com/parleyhq/parley/runtime/provider/providertest"
)

func TestMain(m *testing.M) { goleak.VerifyTestMain(m) }

func userSays(opts provider.Options, history ...string) provider.ChatRequest {
	req := provider.ChatRequest{Options: opts, Language: "en"}
	for i, h := range history {
		role := provider.RoleUser
		if i%2 == 1 {
			role = provider.RoleAssistant
		}
		req.Messages = append(req.Messages, provider.Message{Role: role, Content: h})
	}
	return req
}

// joined concatenates the deltas' text and reports which carry EndCall.
func joined(deltas []provider.ChatDelta) (text string, endCallAt []int) {
	var b strings.Builder
	for i, d := range deltas {
		b.WriteString(d.Text)
		if d.EndCall {
			endCallAt = append(endCallAt, i)
		}
	}
	return b.String(), endCallAt
}

func TestComplete(t *testing.T) {
	opts := defaultOptions(t)
	s := mustScript(t, opts)
	for _, tc := range []struct {
		name    string
		req     provider.ChatRequest
		want    string
		endCall bool
	}{
		{"intent", userSays(opts, "where is my package"), s.intents[0].reply.text, false},
		{"one sentence", userSays(opts, "when do you open"), s.intents[1].reply.text, false},
		// The last user message counts, not earlier ones nor the agent's.
		{"last user message", userSays(opts, "goodbye", "Goodbye!", "what are your opening hours", "We are open ... order"), s.intents[1].reply.text, false},
		{"fallback", userSays(opts, "hmm"), s.fallback.text, false},
		{"hangup", userSays(opts, "that's all, bye"), s.hangup.reply.text, true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			st, err := newChat().Complete(context.Background(), tc.req)
			require.NoError(t, err)
			deltas, err := provider.Collect(st)
			require.NoError(t, err)
			require.Len(t, deltas, len(newReply(tc.want).pieces), "a delta per sentence")
			text, endCallAt := joined(deltas)
			require.Equal(t, tc.want, text)
			if tc.endCall {
				require.Equal(t, []int{len(deltas) - 1}, endCallAt, "EndCall on the final delta only")
			} else {
				require.Empty(t, endCallAt)
			}
		})
	}
}

func TestCompleteErrors(t *testing.T) {
	for _, tc := range []struct {
		name string
		req  provider.ChatRequest
		want error
	}{
		{"invalid options", userSays(provider.Options{"fallback": "F"}, "hi"), provider.ErrInvalidOptions},
		{"no user message", provider.ChatRequest{Options: defaultOptions(t), Messages: []provider.Message{{Role: provider.RoleAssistant, Content: "Hello"}}}, provider.ErrInvalidInput},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := newChat().Complete(context.Background(), tc.req)
			require.ErrorIs(t, err, tc.want)
		})
	}
	_, err := newChat().Complete(context.Background(), userSays(provider.Options{"fallback": "F"}, "hi"))
	require.ErrorContains(t, err, "options.intents: required")
}

func TestCompleteCancel(t *testing.T) {
	opts := defaultOptions(t)
	t.Run("close", func(t *testing.T) {
		st, err := newChat().Complete(context.Background(), userSays(opts, "where is my order"))
		require.NoError(t, err)
		first, err := st.Recv()
		require.NoError(t, err)
		require.NotEmpty(t, first.Text)
		// Close returns once the producer has stopped; goleak checks it is gone.
		require.NoError(t, st.Close())
		_, err = st.Recv()
		require.ErrorIs(t, err, context.Canceled)
	})
	t.Run("context", func(t *testing.T) {
		ctx, cancel := context.WithCancel(context.Background())
		st, err := newChat().Complete(ctx, userSays(opts, "where is my order"))
		require.NoError(t, err)
		defer st.Close()
		_, err = st.Recv()
		require.NoError(t, err)
		cancel()
		// At most the one piece already offered can still arrive.
		for range 2 {
			if _, err = st.Recv(); err != nil {
				break
			}
		}
		require.ErrorIs(t, err, context.Canceled)
	})
}

func TestCompleteIsDeterministic(t *testing.T) {
	opts := defaultOptions(t)
	c := newChat()
	for _, text := range []string{"where is my ordr", "refund hours person", "thanks", "안녕하세요", ""} {
		var first []provider.ChatDelta
		for i := range 20 {
			st, err := c.Complete(context.Background(), userSays(opts, text))
			require.NoError(t, err)
			got, err := provider.Collect(st)
			require.NoError(t, err)
			if i == 0 {
				first = got
			}
			require.Equal(t, first, got, text)
		}
	}
}

func TestScriptsCache(t *testing.T) {
	c := newScripts()
	a, err := c.get(defaultOptions(t))
	require.NoError(t, err)
	b, err := c.get(defaultOptions(t)) // a fresh map with the same content
	require.NoError(t, err)
	require.Same(t, a, b, "equal options are parsed once")
	require.Equal(t, 1, c.len())

	for i := range maxScripts + 10 {
		_, err := c.get(provider.Options{"fallback": fmt.Sprint(i)})
		require.NoError(t, err)
	}
	require.Equal(t, maxScripts, c.len(), "the cache is bounded")
	again, err := c.get(defaultOptions(t))
	require.NoError(t, err)
	require.NotSame(t, a, again, "the oldest entry was evicted")
}

func TestScriptsCacheConcurrent(t *testing.T) {
	c := newChat()
	opts := defaultOptions(t)
	done := make(chan error)
	for i := range 8 {
		go func() {
			st, err := c.Complete(context.Background(), userSays(opts, fmt.Sprint("order ", i)))
			if err == nil {
				_, err = provider.Collect(st)
			}
			done <- err
		}()
	}
	for range 8 {
		require.NoError(t, <-done)
	}
}

func TestRoundTrip(t *testing.T) {
	c := newChat()
	client := providertest.Connect(t, provider.ServeConfig{Name: "scripted", Version: version, Chat: c, Validator: c})
	require.Equal(t, provider.Description{Name: "scripted", Version: version, Kinds: []provider.Kind{provider.KindChat}}, client.Description)
	ctx := context.Background()
	opts := defaultOptions(t)

	problems, err := client.Validator.ValidateOptions(ctx, provider.ValidateRequest{Kind: provider.KindChat, Options: opts})
	require.NoError(t, err)
	require.Empty(t, problems)
	problems, err = client.Validator.ValidateOptions(ctx, provider.ValidateRequest{Kind: provider.KindChat, Options: provider.Options{"fallback": "F", "fuzzy": 2}})
	require.NoError(t, err)
	require.Equal(t, []string{"intents", "fuzzy"}, []string{problems[0].Option, problems[1].Option})

	st, err := client.Chat.Complete(ctx, userSays(opts, "I'd like a refund, the lamp came broken"))
	require.NoError(t, err)
	deltas, err := provider.Collect(st)
	require.NoError(t, err)
	text, endCallAt := joined(deltas)
	require.Equal(t, mustScript(t, opts).intents[2].reply.text, text)
	require.Empty(t, endCallAt)

	st, err = client.Chat.Complete(ctx, userSays(opts, "thanks, goodbye"))
	require.NoError(t, err)
	deltas, err = provider.Collect(st)
	require.NoError(t, err)
	_, endCallAt = joined(deltas)
	require.Equal(t, []int{len(deltas) - 1}, endCallAt)

	// A server stream's error arrives with its first Recv.
	st, err = client.Chat.Complete(ctx, userSays(provider.Options{}, "hi"))
	if err == nil {
		_, err = st.Recv()
		_ = st.Close()
	}
	require.ErrorIs(t, err, provider.ErrInvalidOptions)

	// Cancelling mid-reply over gRPC ends the stream with the context's error.
	cctx, cancel := context.WithCancel(ctx)
	st, err = client.Chat.Complete(cctx, userSays(opts, "where is my order"))
	require.NoError(t, err)
	defer st.Close()
	_, err = st.Recv()
	require.NoError(t, err)
	cancel()
	require.Eventually(t, func() bool {
		_, err := st.Recv()
		return err != nil
	}, 5*time.Second, time.Millisecond)
}

// BenchmarkComplete measures one turn of the default agent in process:
// options hash and cache hit, matching (with fuzzy comparisons) and
// streaming the reply through provider.Produce.
func BenchmarkComplete(b *testing.B) {
	c := newChat()
	req := userSays(defaultOptions(b), "hi I would like to know where my delivry is, I ordered a lamp last week")
	ctx := context.Background()
	for b.Loop() {
		st, err := c.Complete(ctx, req)
		if err != nil {
			b.Fatal(err)
		}
		if _, err := provider.Collect(st); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkRespond is the matching alone.
func BenchmarkRespond(b *testing.B) {
	s := mustScript(b, defaultOptions(b))
	for b.Loop() {
		s.respond("hi I would like to know where my delivry is, I ordered a lamp last week")
	}
}
