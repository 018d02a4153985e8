package sqlite_test

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/parleyhq/parley/runtime/call"
	"github.com/parleyhq/parley/runtime/store"
)

func TestLiveCallsBefore(t *testing.T) {
	ctx := context.Background()
	s, _ := openStore(t)
	for i, st := range []call.Status{call.StatusRinging, call.StatusConnecting, call.StatusInProgress, call.StatusRinging, call.StatusEnded} {
		c := &call.Call{ID: fmt.Sprint("c", i), SessionID: fmt.Sprint("s", i), Status: st, CreatedAt: base.Add(time.Duration(i) * time.Minute)}
		if st.Terminal() {
			c.EndedAt = c.CreatedAt
		}
		require.NoError(t, s.CreateCall(ctx, c))
	}
	ids := func(calls []*call.Call) []string {
		var out []string
		for _, c := range calls {
			out = append(out, c.ID)
		}
		return out
	}
	got, err := s.LiveCallsBefore(ctx, []call.Status{call.StatusRinging, call.StatusConnecting}, base.Add(10*time.Minute), 10)
	require.NoError(t, err)
	require.Equal(t, []string{"c0", "c1", "c3"}, ids(got), "oldest first, only those statuses")
	got, err = s.LiveCallsBefore(ctx, []call.Status{call.StatusRinging}, base.Add(3*time.Minute), 10)
	require.NoError(t, err)
	require.Equal(t, []string{"c0"}, ids(got), "only those created before")
	got, err = s.LiveCallsBefore(ctx, []call.Status{call.StatusRinging, call.StatusConnecting, call.StatusInProgress}, base.Add(time.Hour), 2)
	require.NoError(t, err)
	require.Equal(t, []string{"c0", "c1"}, ids(got), "at most limit")
	_, err = s.LiveCallsBefore(ctx, []call.Status{call.StatusEnded}, base, 1)
	require.Error(t, err, "a final status is not live")
}

func TestDeleteCallsBefore(t *testing.T) {
	ctx := context.Background()
	s, path := openStore(t)
	// Five finished calls a minute apart, each with a turn, and a live one
	// older than all of them.
	for i := range 5 {
		c := &call.Call{ID: fmt.Sprint("old", i), SessionID: fmt.Sprint("s", i), Status: call.StatusEnded,
			CreatedAt: base.Add(time.Duration(i) * time.Minute), EndedAt: base.Add(time.Duration(i)*time.Minute + time.Second)}
		require.NoError(t, s.CreateCall(ctx, c))
		require.NoError(t, s.AppendTurns(ctx, c.ID, &store.Turn{Role: store.RoleUser, Text: "hello"},
			&store.Turn{Role: store.RoleAssistant, Text: "hi", ToolCalls: []store.ToolCall{{ID: "1", Name: "lookup", Arguments: "{}", Result: "{}"}}}))
	}
	require.NoError(t, s.CreateCall(ctx, &call.Call{ID: "live", SessionID: "sl", Status: call.StatusInProgress, CreatedAt: base.Add(-time.Hour)}))

	n, err := s.DeleteCallsBefore(ctx, base.Add(3*time.Minute), 2)
	require.NoError(t, err)
	require.Equal(t, 2, n, "one batch of at most limit")
	n, err = s.DeleteCallsBefore(ctx, base.Add(3*time.Minute), 2)
	require.NoError(t, err)
	require.Equal(t, 1, n, "the rest of those before the cut")
	n, err = s.DeleteCallsBefore(ctx, base.Add(3*time.Minute), 2)
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
	var orphans int
	require.NoError(t, rawDB(t, path).QueryRowContext(ctx, `SELECT COUNT(*) FROM tool_calls WHERE call_id IN ('old0', 'old1', 'old2')`).Scan(&orphans))
	require.Zero(t, orphans, "tool calls go with their call")
}
