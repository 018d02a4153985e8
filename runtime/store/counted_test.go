package store

import (
	"context"
	"errors"
	"fmt"
	"testing"

	"github.com/parleyhq/parley/runtime/call"
)

// brokenStore answers every call lookup and turn append with err.
type brokenStore struct {
	Store
	err error
}

func (b brokenStore) Call(context.Context, string) (*call.Call, error) { return nil, b.err }
func (b brokenStore) AppendTurns(context.Context, string, ...*Turn) error {
	return b.err
}

func TestCountErrors(t *testing.T) {
	for _, tc := range []struct {
		err     error
		counted bool
	}{
		{errors.New("database or disk is full"), true},
		{fmt.Errorf("sqlite: append: %w", context.DeadlineExceeded), true},
		{fmt.Errorf("sqlite: call x: %w", ErrNotFound), false},
		{ErrConflict, false},
		{ErrDuplicate, false},
		{context.Canceled, false},
		{nil, false},
	} {
		var ops []string
		st := CountErrors(brokenStore{err: tc.err}, func(op string) { ops = append(ops, op) })
		_, err := st.Call(context.Background(), "x")
		if !errors.Is(err, tc.err) {
			t.Fatalf("error changed: %v", err)
		}
		_ = st.AppendTurns(context.Background(), "x")
		want := 0
		if tc.counted {
			want = 2
		}
		if len(ops) != want {
			t.Errorf("%v: counted %v, want %d", tc.err, ops, want)
		}
		if tc.counted && (ops[0] != OpReadCall || ops[1] != OpAppendTurns) {
			t.Errorf("ops %v", ops)
		}
	}
}
