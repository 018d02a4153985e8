package storetest

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/parleyhq/parley/runtime/call"
	"github.com/parleyhq/parley/runtime/store"
)

func testLiveCallsBefore(t *testing.T, s store.Store) {
	ctx := context.Background()
	for i, st := range []call.Status{call.StatusRinging, call.StatusConnecting, call.StatusInProgress, call.StatusRinging, call.StatusEnded} {
		c := &call.Call{ID: fmt.Sprint("c", i), SessionID: fmt.Sprint("s", i), Status: st, CreatedAt: Base.Add(time.Duration(i) * time.Minute)}
		if st.Terminal() {
			c.EndedAt = c.CreatedAt
		}
		require.NoError(t, s.CreateCall(ctx, c))
	}
	got, err := s.LiveCallsBefore(ctx, []call.Status{call.StatusRinging, call.StatusConnecting}, Base.Add(10*time.Minute), 10)
	require.NoError(t, err)
	require.Equal(t, []string{"c0", "c1", "c3"}, ids(got), "oldest first, only those statuses")
	got, err = s.LiveCallsBefore(ctx, []call.Status{call.StatusRinging}, Base.Add(3*time.Minute), 10)
	require.NoError(t, err)
	require.Equal(t, []string{"c0"}, ids(got), "only those created before")
	got, err = s.LiveCallsBefore(ctx, []call.Status{call.StatusRinging, call.StatusConnecting, call.StatusInProgress}, Base.Add(time.Hour), 2)
	require.NoError(t, err)
	require.Equal(t, []string{"c0", "c1"}, ids(got), "at most limit")
	_, err = s.LiveCallsBefore(ctx, []call.Status{call.StatusEnded}, Base, 1)
	require.Error(t, err, "a final status is not live")
}

func testDeleteCallsBefore(t *testing.T, s store.Store) {
	ctx := context.Background()
	// Five finished calls a minute apart, each with a turn, and a live one
	// older than all of them.
	for i := range 5 {
		c := &call.Call{ID: fmt.Sprint("old", i), SessionID: fmt.Sprint("s", i), Status: call.StatusEnded,
			CreatedAt: Base.Add(time.Duration(i) * time.Minute), EndedAt: Base.Add(time.Duration(i)*time.Minute + time.Second)}
		require.NoError(t, s.CreateCall(ctx, c))
		require.NoError(t, s.AppendTurns(ctx, c.ID, &store.Turn{Role: store.RoleUser, Text: "hello"},
			&store.Turn{Role: store.RoleAssistant, Text: "hi", ToolCalls: []store.ToolCall{{ID: "1", Name: "lookup", Arguments: "{}", Result: "{}"}}}))
	}
	require.NoError(t, s.CreateCall(ctx, &call.Call{ID: "live", SessionID: "sl", Status: call.StatusInProgress, CreatedAt: Base.Add(-time.Hour)}))

	n, err := s.DeleteCallsBefore(ctx, Base.Add(3*time.Minute), 2)
	require.NoError(t, err)
	require.Equal(t, 2, n, "one batch of at most limit")
	n, err = s.DeleteCallsBefore(ctx, Base.Add(3*time.Minute), 2)
	require.NoError(t, err)
	require.Equal(t, 1, n, "the rest of those before the cut")
	n, err = s.DeleteCallsBefore(ctx, Base.Add(3*time.Minute), 2)
	require.NoError(t, err)
	require.Zero(t, n)

	for _, id := range []string{"old0", "old1", "old2"} {
		_, err := s.Call(ctx, id)
		require.ErrorIs(t, err, store.ErrNotFound, id)
		turns, err := s.Turns(ctx, id)
		require.NoError(t, err)
		require.Empty(t, turns, "the turns of %s go with it", id)
	}
	for _, id := range []string{"old3", "old4", "live"} {
		_, err := s.Call(ctx, id)
		require.NoError(t, err, "%s is kept", id)
	}
	turns, err := s.Turns(ctx, "old3")
	require.NoError(t, err)
	require.Len(t, turns, 2)
	require.Len(t, turns[1].ToolCalls, 1)
	// Nothing of a deleted call is left behind: a new call with its id
	// starts with no turns, and its turns get no tool calls of the old ones.
	again := &call.Call{ID: "old0", SessionID: "s0-again", Status: call.StatusInProgress, CreatedAt: Base}
	require.NoError(t, s.CreateCall(ctx, again))
	require.NoError(t, s.AppendTurns(ctx, again.ID, &store.Turn{Role: store.RoleUser, Text: "again"}, &store.Turn{Role: store.RoleAssistant, Text: "hi"}))
	turns, err = s.Turns(ctx, again.ID)
	require.NoError(t, err)
	require.Len(t, turns, 2)
	require.Equal(t, "again", turns[0].Text)
	require.Empty(t, turns[1].ToolCalls, "tool calls go with their call")
}
