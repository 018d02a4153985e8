package service

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
	"go.uber.org/goleak"

	"github.com/parleyhq/parley/runtime/agent"
	"github.com/parleyhq/parley/runtime/call"
	"github.com/parleyhq/parley/runtime/store"
	"github.com/parleyhq/parley/runtime/store/sqlite"
)

func TestMain(m *testing.M) { goleak.VerifyTestMain(m) }

const spec = `name: default
language: en
system_prompt: %s
providers:
  stt: {plugin: pocketsphinx}
  chat: {plugin: scripted}
  tts: {plugin: espeak}
`

func writeAgent(t *testing.T, dir, prompt string) {
	t.Helper()
	tmp := filepath.Join(dir, ".default.yaml.tmp")
	require.NoError(t, os.WriteFile(tmp, []byte(fmt.Sprintf(spec, prompt)), 0o600))
	require.NoError(t, os.Rename(tmp, filepath.Join(dir, "default.yaml"))) // as editors save
}

// newCalls is the service over a real agent directory and SQLite file, with
// opts.
func newCalls(t *testing.T, opts ...Option) (*Calls, *agent.Registry, string, store.Store) {
	t.Helper()
	dir := t.TempDir()
	writeAgent(t, dir, "first prompt")
	log := slog.New(slog.NewTextHandler(io.Discard, nil))
	reg, err := agent.NewRegistry(dir, "default", agent.WithLogger(log))
	require.NoError(t, err)
	st, err := sqlite.Open(context.Background(), filepath.Join(t.TempDir(), "p.db"))
	require.NoError(t, err)
	t.Cleanup(func() { _ = st.Close() })
	return NewCalls(st, reg, log, opts...), reg, dir, st
}

// TestRunningCallKeepsItsSpec edits the agent file while a call is live:
// the call keeps the spec it started with, new calls get the new one.
func TestRunningCallKeepsItsSpec(t *testing.T) {
	calls, reg, dir, _ := newCalls(t)
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- reg.Run(ctx) }()
	t.Cleanup(func() { cancel(); <-done })

	first, err := calls.Initiate(ctx, InitiateRequest{CallerNumber: "01012345678"})
	require.NoError(t, err)

	writeAgent(t, dir, "second prompt")
	require.Eventually(t, func() bool {
		s, err := reg.Get("default")
		return err == nil && s.SystemPrompt == "second prompt"
	}, 2*time.Second, 10*time.Millisecond, "edit not picked up within 2 s")

	s, ok := calls.AgentSpec(first.ID)
	require.True(t, ok)
	require.Equal(t, "first prompt", s.SystemPrompt)

	second, err := calls.Initiate(ctx, InitiateRequest{CallerNumber: "01012345678"})
	require.NoError(t, err)
	s, _ = calls.AgentSpec(second.ID)
	require.Equal(t, "second prompt", s.SystemPrompt)

	_, err = calls.End(ctx, first.ID, call.ReasonHangup)
	require.NoError(t, err)
	_, ok = calls.AgentSpec(first.ID)
	require.False(t, ok, "an ended call's spec is released")
}

func TestStatusFollowsTheMachine(t *testing.T) {
	calls, _, _, _ := newCalls(t)
	ctx := context.Background()
	c, err := calls.Initiate(ctx, InitiateRequest{CallerNumber: "02-123-4567"})
	require.NoError(t, err)
	require.Equal(t, call.StatusRinging, c.Status)

	_, err = calls.Start(ctx, c.ID)
	require.ErrorIs(t, err, call.ErrInvalidTransition, "RINGING cannot jump to IN_PROGRESS")

	for _, step := range []func(context.Context, string) (*call.Call, error){calls.Connect, calls.Start} {
		_, err = step(ctx, c.ID)
		require.NoError(t, err)
	}
	_, err = calls.End(ctx, c.ID, call.ReasonHangup)
	require.NoError(t, err)
	_, err = calls.Fail(ctx, c.ID, "ice failed")
	require.ErrorIs(t, err, call.ErrInvalidTransition, "a finished call cannot fail")
	got, err := calls.Get(ctx, c.ID)
	require.NoError(t, err)
	require.Equal(t, call.StatusEnded, got.Status)
	require.False(t, got.ConnectedAt.IsZero())
}

func TestFailAndRecover(t *testing.T) {
	calls, _, _, st := newCalls(t)
	ctx := context.Background()
	a, err := calls.Initiate(ctx, InitiateRequest{CallerNumber: "01012345678"})
	require.NoError(t, err)
	b, err := calls.Initiate(ctx, InitiateRequest{CallerNumber: "01012345678"})
	require.NoError(t, err)
	failed, err := calls.Fail(ctx, a.ID, "no media")
	require.NoError(t, err)
	require.Equal(t, call.StatusFailed, failed.Status)

	n, err := calls.Recover(ctx)
	require.NoError(t, err)
	require.Equal(t, 1, n)
	got, err := st.Call(ctx, b.ID)
	require.NoError(t, err)
	require.Equal(t, call.StatusFailed, got.Status)
	require.Equal(t, call.ReasonRuntimeRestart, got.EndReason)
	got, _ = st.Call(ctx, a.ID)
	require.Equal(t, "no media", got.EndReason, "a finished call is left alone")
}

func TestValidationErrors(t *testing.T) {
	calls, _, _, _ := newCalls(t)
	ctx := context.Background()
	for _, tc := range []struct {
		req   InitiateRequest
		field string
	}{
		{InitiateRequest{}, "callerNumber"},
		{InitiateRequest{CallerNumber: "x"}, "callerNumber"},
		{InitiateRequest{CallerNumber: "01012345678", ReceiverNumber: "1"}, "receiverNumber"},
		{InitiateRequest{CallerNumber: "01012345678", Agent: "ghost"}, "agent"},
	} {
		_, err := calls.Initiate(ctx, tc.req)
		var ve *ValidationError
		require.True(t, errors.As(err, &ve), "%+v: %v", tc.req, err)
		require.Equal(t, tc.field, ve.Field)
	}
	_, err := calls.Get(ctx, "nope")
	require.ErrorIs(t, err, ErrValidation)
	_, err = calls.Get(ctx, "550e8400-e29b-41d4-a716-446655440000")
	require.ErrorIs(t, err, store.ErrNotFound)
}
