package sqlite_test

import (
	"context"
	"testing"

	"github.com/stretchr/testify/require"
)

// BenchmarkAppendTurns measures one committed (fsynced) single-turn append,
// the store's cost per utterance of a live call.
func BenchmarkAppendTurns(b *testing.B) {
	ctx := context.Background()
	s, _ := openStore(b)
	c := newCall(b, 1)
	require.NoError(b, s.CreateCall(ctx, c))
	b.ReportAllocs()
	for b.Loop() {
		if err := s.AppendTurns(ctx, c.ID, userTurn("what time do you open tomorrow?")); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkGetCall measures a read of one call by id among 1,000.
func BenchmarkGetCall(b *testing.B) {
	ctx := context.Background()
	s, _ := openStore(b)
	const n = 1000
	for i := range n {
		require.NoError(b, s.CreateCall(ctx, newCall(b, i)))
	}
	id := newCall(b, n/2).ID
	b.ReportAllocs()
	for b.Loop() {
		if _, err := s.Call(ctx, id); err != nil {
			b.Fatal(err)
		}
	}
}
