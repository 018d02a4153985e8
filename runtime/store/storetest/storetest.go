// Package storetest is the contract of store.Store: the tests every
// implementation passes unchanged (store/sqlite, store/postgres). An
// implementation's own tests call Run with a Database, and keep to
// themselves only what looks behind the interface (files, pragmas, SQL
// triggers, migrations).
//
//	func TestContract(t *testing.T) {
//		storetest.Run(t, func(t *testing.T) func() store.Store { ... })
//	}
//
// Times round-trip to the microsecond (Postgres keeps no finer), durations
// to the nanosecond.
package storetest

import (
	"fmt"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/parleyhq/parley/runtime/call"
	"github.com/parleyhq/parley/runtime/store"
)

// Database gives one test an empty database of its own and returns how to
// open a store on it. Each call of the returned function is another handle
// on the same database, as another process would open it; every handle is
// closed when t ends.
type Database func(t *testing.T) (open func() store.Store)

// Run runs the whole contract, each test on a database of its own.
func Run(t *testing.T, db Database) {
	tests := []struct {
		name string
		run  func(*testing.T, store.Store)
	}{
		{"CallRoundTrip", testCallRoundTrip},
		{"CallNotFound", testCallNotFound},
		{"CreateCallDuplicate", testCreateCallDuplicate},
		{"CreateCallRejectsInvalid", testCreateCallRejectsInvalid},
		{"CreateCallCancelled", testCreateCallCancelled},
		{"UpdateCall", testUpdateCall},
		{"UpdateCallOptimisticConcurrency", testUpdateCallOptimisticConcurrency},
		{"CallsPagination", testCallsPagination},
		{"FailLiveCalls", testFailLiveCalls},
		{"OwnerMoves", testOwnerMoves},
		{"Leases", testLeases},
		{"CallsSnapshotWhileWriting", testCallsSnapshotWhileWriting},
		{"TurnsRoundTrip", testTurnsRoundTrip},
		{"TurnsEmpty", testTurnsEmpty},
		{"AppendTurnsOrderingAcrossCalls", testAppendTurnsOrderingAcrossCalls},
		{"AppendTurnsUnknownCall", testAppendTurnsUnknownCall},
		{"AppendTurnsRejectsInvalid", testAppendTurnsRejectsInvalid},
		{"LiveCallsBefore", testLiveCallsBefore},
		{"DeleteCallsBefore", testDeleteCallsBefore},
		{"DeliveryQueue", testDeliveryQueue},
		{"Closed", testClosed},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			tt.run(t, db(t)())
		})
	}
	t.Run("ConcurrentWriters", func(t *testing.T) {
		open := db(t)
		testConcurrentWriters(t, open(), open())
	})
	t.Run("ConcurrentSweeps", func(t *testing.T) {
		open := db(t)
		testConcurrentSweeps(t, open(), open())
	})
}

// Base is a fixed instant with a full microsecond fraction, to catch any
// rounding on the way through the database.
var Base = time.Date(2025, 3, 4, 5, 6, 7, 123456000, time.UTC)

// Phone parses a phone number or fails the test.
func Phone(t testing.TB, s string) call.PhoneNumber {
	t.Helper()
	p, err := call.ParsePhoneNumber(s)
	require.NoError(t, err)
	return p
}

// NewCall returns an INITIATING agent call created i seconds after Base,
// with id call-<i> and session id session-<i> (4 digits).
func NewCall(t testing.TB, i int) *call.Call {
	t.Helper()
	return &call.Call{
		ID:           fmt.Sprintf("call-%04d", i),
		SessionID:    fmt.Sprintf("session-%04d", i),
		CallerNumber: Phone(t, "010-1234-5678"),
		Agent:        "support",
		Status:       call.StatusInitiating,
		CreatedAt:    Base.Add(time.Duration(i) * time.Second),
	}
}

// UserTurn returns a caller's turn that says text.
func UserTurn(text string) *store.Turn {
	return &store.Turn{Role: store.RoleUser, Text: text}
}

func ids(cs []*call.Call) []string {
	out := make([]string, len(cs))
	for i, c := range cs {
		out[i] = c.ID
	}
	return out
}
