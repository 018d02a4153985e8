package provider_test

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/parleyhq/parley/runtime/provider"
	"github.com/parleyhq/parley/runtime/provider/providertest"
)

// TestPanicFailsTheRequestOnly starts a real plugin process whose methods
// panic on demand: each panic (in a unary method, in a stream handler, in
// a stream producer's goroutine, in the STT stream's audio loop) fails
// that request with ErrInternal, is logged with its stack, and the same
// process answers the next request.
func TestPanicFailsTheRequestOnly(t *testing.T) {
	if testing.Short() {
		t.Skip("builds a plugin binary")
	}
	c, logs := providertest.Start(t, "testdata/panicky")
	ctx, cancel := context.WithTimeout(t.Context(), 20*time.Second)
	defer cancel()

	healthy := func() {
		t.Helper()
		res, err := c.Sentiment.Analyze(ctx, provider.SentimentRequest{Text: "fine"})
		require.NoError(t, err, "the plugin is still up")
		require.Equal(t, provider.Neutral, res.Label)
	}
	internal := func(err error, what string) {
		t.Helper()
		require.Error(t, err, what)
		require.True(t, errors.Is(err, provider.ErrInternal), "%s: %v is not ErrInternal", what, err)
		require.False(t, errors.Is(err, provider.ErrUnavailable), "%s: the plugin must not look dead", what)
	}

	healthy()
	_, err := c.Sentiment.Analyze(ctx, provider.SentimentRequest{Text: "panic"})
	internal(err, "unary")
	healthy()

	st, err := c.Chat.Complete(ctx, provider.ChatRequest{Messages: []provider.Message{{Role: provider.RoleUser, Content: "panic"}}})
	if err == nil {
		_, err = provider.Collect(st)
	}
	internal(err, "stream handler")
	healthy()

	st, err = c.Chat.Complete(ctx, provider.ChatRequest{Messages: []provider.Message{{Role: provider.RoleUser, Content: "panic later"}}})
	require.NoError(t, err)
	_, err = provider.Collect(st)
	internal(err, "stream producer")
	healthy()

	stt, err := c.STT.StreamSTT(ctx, provider.STTConfig{SampleRate: 16000})
	require.NoError(t, err)
	require.NoError(t, stt.SendAudio([]int16{1, 2, 3}))
	tr, err := stt.Recv()
	require.NoError(t, err)
	require.Equal(t, "heard", tr.Text)
	_ = stt.SendAudio([]int16{7, 7, 7}) // may fail or not: the stream ends either way
	for err == nil {
		_, err = stt.Recv()
	}
	_ = stt.Close()
	internal(err, "stt audio loop")
	healthy()

	require.Eventually(t, func() bool {
		l := logs.String()
		return strings.Count(l, "panic contained") >= 4 && strings.Contains(l, "recover_test") == false && strings.Contains(l, "main.sentiment.Analyze")
	}, 5*time.Second, 20*time.Millisecond, "each panic is logged with its stack:\n%s", logs.String())
}
