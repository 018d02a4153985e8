package call

import (
	"errors"
	"testing"
	"time"
)

func TestStatusTransitions(t *testing.T) {
	allowed := map[[2]Status]bool{
		{StatusInitiating, StatusRinging}:    true,
		{StatusRinging, StatusConnecting}:    true,
		{StatusConnecting, StatusInProgress}: true,
		{StatusInitiating, StatusEnded}:      true,
		{StatusRinging, StatusEnded}:         true,
		{StatusConnecting, StatusEnded}:      true,
		{StatusInProgress, StatusEnded}:      true,
		{StatusInitiating, StatusFailed}:     true,
		{StatusRinging, StatusFailed}:        true,
		{StatusConnecting, StatusFailed}:     true,
		{StatusInProgress, StatusFailed}:     true,
	}
	all := append([]Status{StatusUnknown}, Statuses()...)
	for _, from := range all {
		for _, to := range all {
			want := allowed[[2]Status{from, to}]
			t.Run(from.String()+"->"+to.String(), func(t *testing.T) {
				if got := from.CanTransition(to); got != want {
					t.Fatalf("CanTransition = %v, want %v", got, want)
				}
			})
		}
	}
}

func TestCallLifecycle(t *testing.T) {
	now := time.Date(2024, 12, 14, 10, 0, 0, 0, time.FixedZone("KST", 9*3600))
	caller, _ := ParsePhoneNumber("010-1234-5678")
	c := New(caller, PhoneNumber{}, "default", now)
	if c.Status != StatusInitiating || c.ID == "" || c.SessionID == "" {
		t.Fatalf("new call = %+v", c)
	}
	if c.CreatedAt.Location() != time.UTC {
		t.Fatalf("CreatedAt not UTC: %v", c.CreatedAt)
	}
	steps := []func() error{
		c.Ring,
		c.Connect,
		func() error { return c.Start(now.Add(time.Second)) },
		func() error { return c.End(now.Add(time.Minute), ReasonHangup) },
	}
	for i, step := range steps {
		if err := step(); err != nil {
			t.Fatalf("step %d: %v", i, err)
		}
	}
	if c.Status != StatusEnded || c.EndReason != ReasonHangup || !c.ConnectedAt.Equal(now.Add(time.Second)) || !c.EndedAt.Equal(now.Add(time.Minute)) {
		t.Fatalf("ended call = %+v", c)
	}
	err := c.End(now, ReasonHangup)
	var te *TransitionError
	if !errors.Is(err, ErrInvalidTransition) || !errors.As(err, &te) || te.From != StatusEnded {
		t.Fatalf("second End = %v, want TransitionError from ENDED", err)
	}
	if err.Error() != "call is already ENDED" {
		t.Fatalf("message = %q", err.Error())
	}
}

// TestFailInProgress: the runtime can fail a call in progress (an internal
// error), but not one that has finished.
func TestFailInProgress(t *testing.T) {
	c := New(PhoneNumber{v: "01012345678"}, PhoneNumber{}, "", time.Now())
	for _, step := range []func() error{c.Ring, c.Connect, func() error { return c.Start(time.Now()) }} {
		if err := step(); err != nil {
			t.Fatal(err)
		}
	}
	if err := c.Fail(time.Now(), "internal error"); err != nil {
		t.Fatalf("Fail from IN_PROGRESS = %v", err)
	}
	if c.Status != StatusFailed || c.EndReason != "internal error" {
		t.Fatalf("status %v, reason %q", c.Status, c.EndReason)
	}
	if err := c.Fail(time.Now(), "again"); !errors.Is(err, ErrInvalidTransition) {
		t.Fatalf("Fail from FAILED = %v, want ErrInvalidTransition", err)
	}
	if c.EndReason != "internal error" {
		t.Fatalf("reason changed by a refused transition: %q", c.EndReason)
	}
}

func TestStatusText(t *testing.T) {
	for _, s := range Statuses() {
		b, _ := s.MarshalText()
		var back Status
		if err := back.UnmarshalText(b); err != nil || back != s {
			t.Fatalf("%v round trip = %v, %v", s, back, err)
		}
	}
	if _, err := ParseStatus("DONE"); err == nil {
		t.Fatal("ParseStatus accepted DONE")
	}
	if Status(99).String() != "UNKNOWN" {
		t.Fatal("out of range status has a name")
	}
}

func TestSessionIDUnguessable(t *testing.T) {
	seen := map[string]bool{}
	for range 1000 {
		id := NewSessionID()
		if len(id) != 32 || seen[id] {
			t.Fatalf("session id %q repeated or wrong length", id)
		}
		seen[id] = true
	}
}
