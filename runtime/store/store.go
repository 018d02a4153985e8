// Package store persists calls and their conversation turns. Store is the
// interface the rest of the runtime uses; package store/sqlite is the
// embedded default, and a server database can implement the same interface.
package store

import (
	"context"
	"fmt"
	"time"

	"github.com/parleyhq/parley/runtime/call"
)

// Store keeps calls and turns. Every method is safe for concurrent use, and a
// method that returns nil has committed its write durably: a crash of the
// process right after loses nothing.
type Store interface {
	// CreateCall inserts a new call. ErrDuplicate if its id, session id or token id exists.
	CreateCall(ctx context.Context, c *call.Call) error
	// UpdateCall saves c if the stored status is still prev (optimistic
	// concurrency); ErrConflict if another writer changed it first, ErrNotFound
	// if there is no such call.
	UpdateCall(ctx context.Context, c *call.Call, prev call.Status) error
	// Call returns the call with this id, or ErrNotFound.
	Call(ctx context.Context, id string) (*call.Call, error)
	// CallBySession returns the call with this session id, or ErrNotFound.
	CallBySession(ctx context.Context, sessionID string) (*call.Call, error)
	// Calls returns one page of calls, newest first, and how many match in all.
	Calls(ctx context.Context, f CallFilter) ([]*call.Call, int, error)
	// AppendTurns stores turns of one live call in one transaction, giving
	// each its sequence number; ErrNotFound if the call does not exist.
	AppendTurns(ctx context.Context, callID string, turns ...*Turn) error
	// Turns returns a call's turns in order; an empty slice for a call with none.
	Turns(ctx context.Context, callID string) ([]*Turn, error)
	// FailLiveCalls marks every call that is not ENDED or FAILED and whose
	// Owner is one of owners as FAILED with this reason, returning how many
	// it changed. An instance calls it at start for its own calls (and
	// those stored before calls had owners, owner "") a crash left behind.
	FailLiveCalls(ctx context.Context, owners []string, at time.Time, reason string) (int, error)
	// LiveCallsBefore returns up to limit calls with one of statuses (live
	// ones only) created before before, oldest first.
	LiveCallsBefore(ctx context.Context, statuses []call.Status, before time.Time, limit int) ([]*call.Call, error)
	// DeleteCallsBefore deletes up to limit ENDED or FAILED calls created
	// before before, oldest first, with their turns, and returns how many.
	DeleteCallsBefore(ctx context.Context, before time.Time, limit int) (int, error)
	// Webhooks is the queue of webhook deliveries.
	Webhooks
	// Instances are the runtimes sharing the store.
	Instances
	// Ping checks that the store answers.
	Ping(ctx context.Context) error
	// Close releases the store; calling it twice is safe.
	Close() error
}

// Instances keeps the leases of the runtime instances that share a store:
// an instance is alive while its lease lasts, and the calls it owns
// (call.Call.Owner) die with it.
type Instances interface {
	// RenewLease records that instance id is alive until until; started
	// is kept from its first renewal.
	RenewLease(ctx context.Context, id string, started, until time.Time) error
	// DropLease deletes instance id's lease (it stopped cleanly).
	DropLease(ctx context.Context, id string) error
	// FailLostCalls takes over every instance whose lease ended before
	// now: in one transaction each, it deletes the lease and marks the
	// instance's live calls FAILED at now with reason, so that survivors
	// sweeping at once fail each call once. It returns the ids of the
	// instances it took over and of the calls it failed.
	FailLostCalls(ctx context.Context, now time.Time, reason string) (lost, failed []string, err error)
}

// CallFilter selects a page of calls.
type CallFilter struct {
	Status call.Status // StatusUnknown for any
	Agent  string      // empty for any
	Limit  int         // 1..MaxPageSize
	Offset int
}

// MaxPageSize bounds CallFilter.Limit.
const MaxPageSize = 100

// Role says who spoke a turn.
type Role string

// The roles of a turn.
const (
	RoleUser      Role = "user"
	RoleAssistant Role = "assistant"
)

// Turn is one utterance of a conversation: what the caller said, or what the
// agent said (for an interrupted agent turn, only what was actually played).
type Turn struct {
	Seq         int // 1-based order within the call, set by AppendTurns
	CallID      string
	Role        Role
	Text        string
	Sentiment   *Sentiment // user turns, when scored
	Interrupted bool       // assistant turns cut short by the caller
	// Backchannel marks a user turn that was an acknowledgement said over
	// the agent ("uh-huh"): not answered, not shown to the chat model.
	Backchannel bool
	StartedAt   time.Time
	EndedAt     time.Time
	Timings     Timings
	// ToolCalls are the tools an assistant turn called, in order, with
	// what each returned (its Text is what the agent said after them).
	ToolCalls []ToolCall
}

// ToolCall is one tool the agent called during a turn.
type ToolCall struct {
	ID        string // the model's id of the call
	Name      string
	Arguments string // the JSON the model wrote, as written
	Result    string // what the tool returned (JSON), when it succeeded
	Error     string // why it failed, as the model was told; empty on success
	StartedAt time.Time
	Duration  time.Duration
}

// Sentiment is the scored mood of a user turn.
type Sentiment struct {
	Label string  // positive, neutral or negative
	Score float64 // in [0, 1]: 0 most negative, 0.5 neutral, 1 most positive
}

// Timings are the measured stages of one turn; a zero field was not measured.
type Timings struct {
	SpeechStart     time.Time     // caller speech onset
	SpeechEnd       time.Time     // caller end of speech
	STTFinalDelay   time.Duration // end of speech -> final transcript
	ChatFirstToken  time.Duration // chat request -> first token
	TTSFirstAudio   time.Duration // first sentence to TTS -> first audio chunk
	FirstPacket     time.Time     // first agent RTP packet sent
	RuntimeOverhead time.Duration // total minus provider time and end-of-turn silence
	EndOfTurnWait   time.Duration // silence waited after the speech before the turn was taken as over
}

// TakeOver is the loop of an Instances.FailLostCalls: for each expired
// instance, claim deletes its lease and fails its live calls in one
// transaction, reporting which calls and whether the lease was still
// there to delete (another sweep may have taken it over, or it was
// renewed). It returns the instances claimed and the calls failed; on an
// error, those claimed before it.
func TakeOver(expired []string, claim func(id string) (failed []string, claimed bool, err error)) ([]string, []string, error) {
	var lost, failed []string
	for _, id := range expired {
		ids, ok, err := claim(id)
		if err != nil {
			return lost, failed, fmt.Errorf("fail the calls of lost instance %s: %w", id, err)
		}
		if ok {
			lost, failed = append(lost, id), append(failed, ids...)
		}
	}
	return lost, failed, nil
}
