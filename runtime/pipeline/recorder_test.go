package pipeline

import (
	"errors"
	"testing"
	"time"

	"github.com/parleyhq/parley/runtime/agent"
	"github.com/parleyhq/parley/runtime/store"
)

// TestStuckStoreDoesNotHoldTheCall: with the store hanging (a stuck disk),
// the agent still greets, hears the caller and answers; once the store
// answers, every turn is stored, in the order spoken.
func TestStuckStoreDoesNotHoldTheCall(t *testing.T) {
	gate := make(chan struct{})
	h := newHarnessPrep(t, newFakeProviders(), nil, func(h *harness) { h.st.gate = gate })
	defer func() {
		select {
		case <-gate:
		default:
			close(gate)
		}
	}()
	h.eventually(func() bool { return h.st.calls.Load() == 1 }, "the greeting on its way to the store")
	h.talk(200*time.Millisecond, false)
	h.talk(time.Second, true)
	h.talk(600*time.Millisecond, false)
	// The answer is spoken while the greeting is still not stored, well
	// before the store's own timeout (5 s) could have freed a loop that
	// waited for it.
	deadline := time.Now().Add(3 * time.Second)
	for !h.has("agent-response", func(p map[string]any) bool {
		return p["final"] == true && p["text"] == "Your order arrives tomorrow. Anything else?"
	}) {
		if time.Now().After(deadline) {
			t.Fatalf("no answer within 3 s with the store stuck: %v", h.names())
		}
		time.Sleep(10 * time.Millisecond)
	}
	if n := len(h.st.all()); n != 0 {
		t.Fatalf("%d turns stored through a closed gate", n)
	}
	close(gate)
	h.eventually(func() bool { return len(h.st.all()) == 3 }, "every turn stored once the store answers")
	turns := h.st.all()
	want := []struct {
		role store.Role
		text string
	}{
		{store.RoleAssistant, "Hello, thanks for calling."},
		{store.RoleUser, "where is my order"},
		{store.RoleAssistant, "Your order arrives tomorrow. Anything else?"},
	}
	for i, w := range want {
		if turns[i].Role != w.role || turns[i].Text != w.text || turns[i].Seq != i+1 {
			t.Errorf("turn %d: %+v, want %s %q", i, turns[i], w.role, w.text)
		}
	}
	if turns[1].Sentiment == nil {
		t.Error("the caller's turn was stored without its sentiment")
	}
}

// TestFailingStoreCallGoesOn: a store that fails (a full disk) holds up
// the turns, not the call: the agent answers turn after turn.
func TestFailingStoreCallGoesOn(t *testing.T) {
	defer func(d time.Duration) { storeRetryFor = d }(storeRetryFor)
	storeRetryFor = 200 * time.Millisecond // a store that stays broken
	h := newHarnessPrep(t, newFakeProviders(), func(s *agent.Spec) { s.Greeting = "" },
		func(h *harness) { h.st.fail = errors.New("database or disk is full") })
	for i := 1; i <= 2; i++ {
		h.talk(time.Second, true)
		h.talk(600*time.Millisecond, false)
		h.eventually(func() bool { return len(h.finals()) == i }, "the agent's answer with a failing store")
	}
	h.eventually(func() bool { return h.st.calls.Load() >= 2 }, "both exchanges handed to the store")
}

// TestCloseWaitsForTurns: the call's turns are all stored before Close
// returns (the call is freed only then).
func TestCloseWaitsForTurns(t *testing.T) {
	gate := make(chan struct{})
	h := newHarnessPrep(t, newFakeProviders(), nil, func(h *harness) { h.st.gate = gate })
	h.eventually(func() bool { return h.st.calls.Load() == 1 }, "the greeting on its way to the store")
	closed := make(chan struct{})
	go func() { h.conv.Close(); close(closed) }()
	select {
	case <-closed:
		t.Fatal("Close returned before the greeting was stored")
	case <-time.After(200 * time.Millisecond):
	}
	close(gate)
	select {
	case <-closed:
	case <-time.After(5 * time.Second):
		t.Fatal("Close did not return once the store answered")
	}
	if n := len(h.st.all()); n != 1 {
		t.Fatalf("%d turns stored when Close returned, want the greeting", n)
	}
}

// TestStoreOutageTurnsStoredWhenBack: turns spoken while the store fails
// are stored, in order, once it answers again; the call went on meanwhile.
func TestStoreOutageTurnsStoredWhenBack(t *testing.T) {
	defer func(d time.Duration) { storeRetryFor = d }(storeRetryFor)
	storeRetryFor = time.Minute
	h := newHarnessPrep(t, newFakeProviders(), func(s *agent.Spec) { s.Greeting = "" },
		func(h *harness) { h.st.fail = errors.New("connection refused") })
	for range 2 {
		h.talk(time.Second, true)
		h.talk(600*time.Millisecond, false)
	}
	h.eventually(func() bool { return len(h.finals()) == 2 }, "two answers while the store is down")
	if n := len(h.st.all()); n != 0 {
		t.Fatalf("%d turns stored while the store fails", n)
	}
	h.st.mu.Lock()
	h.st.fail = nil
	h.st.mu.Unlock()
	h.eventually(func() bool { return len(h.st.all()) == 4 }, "the four turns stored once the store is back")
	for i, turn := range h.st.all() {
		want := store.RoleUser
		if i%2 == 1 {
			want = store.RoleAssistant
		}
		if turn.Role != want || turn.Seq != i+1 {
			t.Fatalf("turn %d: %s seq %d, want %s in order", i, turn.Role, turn.Seq, want)
		}
	}
}

// TestStoreDownTooLongLosesTurnsNotTheCall: past the retry window the
// turns are dropped (counted), so that the call is freed.
func TestStoreDownTooLongLosesTurnsNotTheCall(t *testing.T) {
	defer func(d time.Duration) { storeRetryFor = d }(storeRetryFor)
	storeRetryFor = 300 * time.Millisecond
	h := newHarnessPrep(t, newFakeProviders(), nil, func(h *harness) { h.st.fail = errors.New("connection refused") })
	h.eventually(func() bool { return h.st.calls.Load() >= 1 }, "the greeting on its way to the store")
	closed := make(chan struct{})
	go func() { h.conv.Close(); close(closed) }()
	select {
	case <-closed:
	case <-time.After(5 * time.Second):
		t.Fatal("Close waited past the retry window")
	}
	if n := len(h.st.all()); n != 0 {
		t.Fatalf("%d turns stored by a failing store", n)
	}
}
