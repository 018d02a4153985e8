package sqlite_test

import (
	"context"
	"fmt"
	"math"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/parleyhq/parley/runtime/store"
	"github.com/parleyhq/parley/runtime/store/sqlite"
)

func TestTurnsRoundTrip(t *testing.T) {
	ctx := context.Background()
	s, _ := openStore(t)
	c := newCall(t, 1)
	require.NoError(t, s.CreateCall(ctx, c))

	user := &store.Turn{
		Role:      store.RoleUser,
		Text:      "안녕하세요, 예약 확인하고 싶어요",
		Sentiment: &store.Sentiment{Label: "neutral", Score: 0.5123456789012345},
		StartedAt: base,
		EndedAt:   base.Add(2*time.Second + 1),
		Timings: store.Timings{
			SpeechStart:   base.Add(100 * time.Millisecond),
			SpeechEnd:     base.Add(2 * time.Second),
			STTFinalDelay: 180*time.Millisecond + 7,
		},
	}
	assistant := &store.Turn{
		Role:        store.RoleAssistant,
		Text:        "네, 성함을",
		Interrupted: true,
		StartedAt:   base.Add(3 * time.Second),
		EndedAt:     base.Add(4 * time.Second),
		Timings: store.Timings{
			ChatFirstToken:  310 * time.Millisecond,
			TTSFirstAudio:   95 * time.Millisecond,
			FirstPacket:     base.Add(3*time.Second + 999),
			RuntimeOverhead: 12*time.Millisecond + 345,
			EndOfTurnWait:   230 * time.Millisecond,
		},
		ToolCalls: []store.ToolCall{
			{ID: "call_1", Name: "lookup_order", Arguments: `{"order":"12345"}`, Result: `{"status":"shipped"}`,
				StartedAt: base.Add(2500 * time.Millisecond), Duration: 42*time.Millisecond + 7},
			{ID: "call_2", Name: "book", Arguments: `{"day":`, Error: "the arguments are not JSON", Duration: 0},
			{ID: "call_3", Name: "empty", Arguments: `{}`, Result: ""}, // a tool that returned nothing
		},
	}
	backchannel := &store.Turn{Role: store.RoleUser, Text: "uh-huh", Backchannel: true, StartedAt: base.Add(3500 * time.Millisecond)}
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

func TestTurnsEmpty(t *testing.T) {
	ctx := context.Background()
	s, _ := openStore(t)
	c := newCall(t, 1)
	require.NoError(t, s.CreateCall(ctx, c))
	got, err := s.Turns(ctx, c.ID)
	require.NoError(t, err)
	assert.NotNil(t, got)
	assert.Empty(t, got)
	require.NoError(t, s.AppendTurns(ctx, c.ID), "appending nothing to an existing call")
}

func TestAppendTurnsOrderingAcrossCalls(t *testing.T) {
	ctx := context.Background()
	s, _ := openStore(t)
	a, b := newCall(t, 1), newCall(t, 2)
	require.NoError(t, s.CreateCall(ctx, a))
	require.NoError(t, s.CreateCall(ctx, b))

	// Interleave batches of different sizes; each call numbers its own.
	require.NoError(t, s.AppendTurns(ctx, a.ID, userTurn("a1"), userTurn("a2")))
	require.NoError(t, s.AppendTurns(ctx, b.ID, userTurn("b1")))
	require.NoError(t, s.AppendTurns(ctx, a.ID, userTurn("a3")))
	require.NoError(t, s.AppendTurns(ctx, b.ID, userTurn("b2"), userTurn("b3"), userTurn("b4")))

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

func TestAppendTurnsUnknownCall(t *testing.T) {
	ctx := context.Background()
	s, path := openStore(t)
	turn := userTurn("hello")
	err := s.AppendTurns(ctx, "nope", turn)
	require.ErrorIs(t, err, store.ErrNotFound)
	assert.Zero(t, turn.Seq, "Seq set on failure")
	assert.Empty(t, turn.CallID, "CallID set on failure")
	assert.Zero(t, countRows(t, rawDB(t, path), "SELECT COUNT(*) FROM turns"))
}

func TestAppendTurnsIsAtomic(t *testing.T) {
	ctx := context.Background()
	s, path := openStore(t)
	c := newCall(t, 1)
	require.NoError(t, s.CreateCall(ctx, c))
	require.NoError(t, s.AppendTurns(ctx, c.ID, userTurn("kept")))

	// Make the database itself refuse the third turn of the next batch, after
	// two inserts have already run inside the transaction.
	_, err := rawDB(t, path).Exec(`CREATE TRIGGER boom BEFORE INSERT ON turns
		WHEN NEW.text = 'boom' BEGIN SELECT RAISE(ABORT, 'boom'); END`)
	require.NoError(t, err)

	batch := []*store.Turn{userTurn("one"), userTurn("two"), userTurn("boom"), userTurn("four")}
	require.ErrorContains(t, s.AppendTurns(ctx, c.ID, batch...), "boom")
	for _, turn := range batch {
		assert.Zero(t, turn.Seq)
	}
	got, err := s.Turns(ctx, c.ID)
	require.NoError(t, err)
	require.Len(t, got, 1)
	assert.Equal(t, "kept", got[0].Text)

	// The next batch continues right after the last stored turn.
	next := userTurn("next")
	require.NoError(t, s.AppendTurns(ctx, c.ID, next))
	assert.Equal(t, 2, next.Seq)
}

func TestAppendTurnsRejectsInvalid(t *testing.T) {
	ctx := context.Background()
	s, _ := openStore(t)
	c := newCall(t, 1)
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
			require.Error(t, s.AppendTurns(ctx, c.ID, userTurn("fine"), tt.turn))
		})
	}
	got, err := s.Turns(ctx, c.ID)
	require.NoError(t, err)
	assert.Empty(t, got)
}

// TestConcurrentWriters runs writers through two Stores on one file, as two
// processes would: within a Store they queue for its write connection,
// across Stores for SQLite's write lock (BEGIN IMMEDIATE plus busy_timeout).
// None may fail with SQLITE_BUSY, and every call's seqs must come out
// unique and gapless.
func TestConcurrentWriters(t *testing.T) {
	const (
		writers = 8
		appends = 50
		calls   = 3
	)
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "parley.db")
	var stores [2]*sqlite.Store
	for i := range stores {
		s, err := sqlite.Open(ctx, path)
		require.NoError(t, err)
		t.Cleanup(func() { require.NoError(t, s.Close()) })
		stores[i] = s
	}
	for i := range calls {
		require.NoError(t, stores[0].CreateCall(ctx, newCall(t, i)))
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
				id := newCall(t, (w+i)%calls).ID
				turn := userTurn(fmt.Sprintf("w%d-%d", w, i))
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
		id := newCall(t, i).ID
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
