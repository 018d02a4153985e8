package storetest

import (
	"context"
	"fmt"
	"math"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/parleyhq/parley/runtime/store"
)

func testTurnsRoundTrip(t *testing.T, s store.Store) {
	ctx := context.Background()
	c := NewCall(t, 1)
	require.NoError(t, s.CreateCall(ctx, c))

	user := &store.Turn{
		Role:      store.RoleUser,
		Text:      "안녕하세요, 예약 확인하고 싶어요",
		Sentiment: &store.Sentiment{Label: "neutral", Score: 0.5123456789012345},
		StartedAt: Base,
		EndedAt:   Base.Add(2*time.Second + time.Microsecond),
		Timings: store.Timings{
			SpeechStart:   Base.Add(100 * time.Millisecond),
			SpeechEnd:     Base.Add(2 * time.Second),
			STTFinalDelay: 180*time.Millisecond + 7,
		},
	}
	assistant := &store.Turn{
		Role:        store.RoleAssistant,
		Text:        "네, 성함을",
		Interrupted: true,
		StartedAt:   Base.Add(3 * time.Second),
		EndedAt:     Base.Add(4 * time.Second),
		Timings: store.Timings{
			ChatFirstToken:  310 * time.Millisecond,
			TTSFirstAudio:   95 * time.Millisecond,
			FirstPacket:     Base.Add(3*time.Second + 999*time.Microsecond),
			RuntimeOverhead: 12*time.Millisecond + 345,
			EndOfTurnWait:   230 * time.Millisecond,
		},
		ToolCalls: []store.ToolCall{
			{ID: "call_1", Name: "lookup_order", Arguments: `{"order":"12345"}`, Result: `{"status":"shipped"}`,
				StartedAt: Base.Add(2500 * time.Millisecond), Duration: 42*time.Millisecond + 7},
			{ID: "call_2", Name: "book", Arguments: `{"day":`, Error: "the arguments are not JSON", Duration: 0},
			{ID: "call_3", Name: "empty", Arguments: `{}`, Result: ""}, // a tool that returned nothing
		},
	}
	backchannel := &store.Turn{Role: store.RoleUser, Text: "uh-huh", Backchannel: true, StartedAt: Base.Add(3500 * time.Millisecond)}
	bare := &store.Turn{Role: store.RoleUser, Text: ""}                                   // all zero: NULLs everywhere
	zeroScore := &store.Turn{Role: store.RoleUser, Sentiment: &store.Sentiment{Score: 0}} // non-nil but zero

	require.NoError(t, s.AppendTurns(ctx, c.ID, user, assistant, backchannel))
	require.NoError(t, s.AppendTurns(ctx, c.ID, bare, zeroScore))
	for i, turn := range []*store.Turn{user, assistant, backchannel, bare, zeroScore} {
		assert.Equal(t, i+1, turn.Seq)
		assert.Equal(t, c.ID, turn.CallID)
	}

	got, err := s.Turns(ctx, c.ID)
	require.NoError(t, err)
	assert.Equal(t, []*store.Turn{user, assistant, backchannel, bare, zeroScore}, got)
}

func testTurnsEmpty(t *testing.T, s store.Store) {
	ctx := context.Background()
	c := NewCall(t, 1)
	require.NoError(t, s.CreateCall(ctx, c))
	got, err := s.Turns(ctx, c.ID)
	require.NoError(t, err)
	assert.NotNil(t, got)
	assert.Empty(t, got)
	require.NoError(t, s.AppendTurns(ctx, c.ID), "appending nothing to an existing call")
}

func testAppendTurnsOrderingAcrossCalls(t *testing.T, s store.Store) {
	ctx := context.Background()
	a, b := NewCall(t, 1), NewCall(t, 2)
	require.NoError(t, s.CreateCall(ctx, a))
	require.NoError(t, s.CreateCall(ctx, b))

	// Interleave batches of different sizes; each call numbers its own.
	require.NoError(t, s.AppendTurns(ctx, a.ID, UserTurn("a1"), UserTurn("a2")))
	require.NoError(t, s.AppendTurns(ctx, b.ID, UserTurn("b1")))
	require.NoError(t, s.AppendTurns(ctx, a.ID, UserTurn("a3")))
	require.NoError(t, s.AppendTurns(ctx, b.ID, UserTurn("b2"), UserTurn("b3"), UserTurn("b4")))

	for id, want := range map[string][]string{a.ID: {"a1", "a2", "a3"}, b.ID: {"b1", "b2", "b3", "b4"}} {
		got, err := s.Turns(ctx, id)
		require.NoError(t, err)
		require.Len(t, got, len(want))
		for i, turn := range got {
			assert.Equal(t, i+1, turn.Seq)
			assert.Equal(t, want[i], turn.Text)
			assert.Equal(t, id, turn.CallID)
		}
	}
}

func testAppendTurnsUnknownCall(t *testing.T, s store.Store) {
	ctx := context.Background()
	turn := UserTurn("hello")
	err := s.AppendTurns(ctx, "nope", turn)
	require.ErrorIs(t, err, store.ErrNotFound)
	assert.Zero(t, turn.Seq, "Seq set on failure")
	assert.Empty(t, turn.CallID, "CallID set on failure")
	got, err := s.Turns(ctx, "nope")
	require.NoError(t, err)
	assert.Empty(t, got, "turns stored for a call that does not exist")
}

func testAppendTurnsRejectsInvalid(t *testing.T, s store.Store) {
	ctx := context.Background()
	c := NewCall(t, 1)
	require.NoError(t, s.CreateCall(ctx, c))
	tests := []struct {
		name string
		turn *store.Turn
	}{
		{"nil", nil},
		{"no role", &store.Turn{Text: "x"}},
		{"other role", &store.Turn{Role: "system", Text: "x"}},
		{"NaN score", &store.Turn{Role: store.RoleUser, Sentiment: &store.Sentiment{Label: "x", Score: math.NaN()}}},
		{"tool call on a user turn", &store.Turn{Role: store.RoleUser, ToolCalls: []store.ToolCall{{Name: "x"}}}},
		{"tool call without a name", &store.Turn{Role: store.RoleAssistant, ToolCalls: []store.ToolCall{{ID: "1"}}}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			require.Error(t, s.AppendTurns(ctx, c.ID, UserTurn("fine"), tt.turn))
		})
	}
	got, err := s.Turns(ctx, c.ID)
	require.NoError(t, err)
	assert.Empty(t, got)
}

// testConcurrentWriters runs writers through two handles on one database,
// as two processes (or instances) would: none may fail for the other's
// lock, and every call's seqs must come out unique and gapless.
func testConcurrentWriters(t *testing.T, a, b store.Store) {
	const (
		writers = 8
		appends = 50
		calls   = 3
	)
	ctx := context.Background()
	stores := [2]store.Store{a, b}
	for i := range calls {
		require.NoError(t, stores[0].CreateCall(ctx, NewCall(t, i)))
	}

	var (
		wg   sync.WaitGroup
		mu   sync.Mutex
		seqs = map[string]map[int]string{} // call -> seq -> text
	)
	for w := range writers {
		wg.Go(func() {
			s := stores[w%len(stores)]
			for i := range appends {
				id := NewCall(t, (w+i)%calls).ID
				turn := UserTurn(fmt.Sprintf("w%d-%d", w, i))
				if err := s.AppendTurns(ctx, id, turn); err != nil {
					t.Errorf("writer %d append %d: %v", w, i, err)
					return
				}
				mu.Lock()
				if seqs[id] == nil {
					seqs[id] = map[int]string{}
				}
				if prev, dup := seqs[id][turn.Seq]; dup {
					t.Errorf("call %s seq %d given to both %s and %s", id, turn.Seq, prev, turn.Text)
				}
				seqs[id][turn.Seq] = turn.Text
				mu.Unlock()
			}
		})
	}
	wg.Wait()
	require.False(t, t.Failed())

	total := 0
	for i := range calls {
		id := NewCall(t, i).ID
		got, err := stores[1].Turns(ctx, id)
		require.NoError(t, err)
		for j, turn := range got {
			require.Equal(t, j+1, turn.Seq, "call %s: gap or disorder", id)
			require.Equal(t, seqs[id][turn.Seq], turn.Text, "call %s seq %d", id, turn.Seq)
		}
		assert.Len(t, seqs[id], len(got))
		total += len(got)
	}
	assert.Equal(t, writers*appends, total)
}
