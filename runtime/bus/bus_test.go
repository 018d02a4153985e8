package bus_test

import (
	"context"
	"errors"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/parleyhq/parley/internal/bustest"
	"github.com/parleyhq/parley/runtime/bus"
)

func TestRequestReply(t *testing.T) {
	srv := bustest.NATS(t)
	a, b := srv.Connect(t, "a"), srv.Connect(t, "b")
	stop, err := b.Subscribe("parley.test.echo", func(m bus.Msg) {
		if string(m.Data) == "panic" {
			panic("handler bug")
		}
		_ = m.Respond(append([]byte("echo "), m.Data...))
	})
	if err != nil {
		t.Fatal(err)
	}
	// No flush: Subscribe returns once the server has the subscription.
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
	defer cancel()
	got, err := a.Request(ctx, "parley.test.echo", []byte("hi"))
	if err != nil || string(got) != "echo hi" {
		t.Fatalf("request = %q, %v", got, err)
	}
	// A panicking handler costs that message only.
	short, cancelShort := context.WithTimeout(ctx, 200*time.Millisecond)
	if _, err := a.Request(short, "parley.test.echo", []byte("panic")); err == nil {
		t.Fatal("a request whose handler panicked was answered")
	}
	cancelShort()
	if got, err := a.Request(ctx, "parley.test.echo", []byte("again")); err != nil || string(got) != "echo again" {
		t.Fatalf("after a panic: %q, %v", got, err)
	}
	stop() // and once stop returns, nobody answers
	if _, err := a.Request(ctx, "parley.test.echo", []byte("x")); !errors.Is(err, bus.ErrUnreachable) {
		t.Fatalf("request nobody answers: %v, want ErrUnreachable", err)
	}
}

// TestGather: every subscriber's answer comes back, and a subject nobody
// subscribes to gives no answer and no error.
func TestGather(t *testing.T) {
	srv := bustest.NATS(t)
	a := srv.Connect(t, "a")
	for _, name := range []string{"b", "c"} {
		stop, err := srv.Connect(t, name).Subscribe("parley.test.who", func(m bus.Msg) { _ = m.Respond([]byte(name)) })
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(stop)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 300*time.Millisecond)
	defer cancel()
	got, err := a.Gather(ctx, "parley.test.who", nil)
	if err != nil {
		t.Fatal(err)
	}
	names := []string{}
	for _, g := range got {
		names = append(names, string(g))
	}
	slices.Sort(names)
	if !slices.Equal(names, []string{"b", "c"}) {
		t.Fatalf("gathered %v, want b and c", names)
	}
	ctx, cancel = context.WithTimeout(context.Background(), 100*time.Millisecond)
	defer cancel()
	if got, err := a.Gather(ctx, "parley.test.nobody", nil); err != nil || len(got) != 0 {
		t.Fatalf("gather nobody answers: %q, %v", got, err)
	}
}

func TestOutage(t *testing.T) {
	srv := bustest.NATS(t)
	b := srv.Connect(t, "b")
	if err := b.Healthy(); err != nil {
		t.Fatal(err)
	}
	got := make(chan string, 4)
	if _, err := b.Subscribe("parley.test.out", func(m bus.Msg) { got <- string(m.Data) }); err != nil {
		t.Fatal(err)
	}
	if err := srv.Kill(); err != nil {
		t.Fatal(err)
	}
	deadline := time.Now().Add(5 * time.Second)
	for b.Healthy() == nil && time.Now().Before(deadline) {
		time.Sleep(10 * time.Millisecond)
	}
	if err := b.Healthy(); err == nil {
		t.Fatal("still healthy with the server killed")
	}
	if err := srv.Restart(); err != nil {
		t.Fatal(err)
	}
	deadline = time.Now().Add(10 * time.Second)
	for b.Healthy() != nil && time.Now().Before(deadline) {
		time.Sleep(10 * time.Millisecond)
	}
	if err := b.Healthy(); err != nil {
		t.Fatalf("not back after the server restarted: %v", err)
	}
	// The subscription came back with the connection.
	if err := b.Publish("parley.test.out", []byte("after")); err != nil {
		t.Fatal(err)
	}
	select {
	case s := <-got:
		if s != "after" {
			t.Fatalf("got %q", s)
		}
	case <-time.After(5 * time.Second):
		t.Fatal("the subscription did not come back")
	}
}

func TestConnectRefusedHidesPassword(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	_, err := bus.Connect(ctx, "nats://parley:hunter2@127.0.0.1:1", "x", nil) // nothing listens on port 1
	if err == nil {
		t.Fatal("connected to nothing")
	}
	if strings.Contains(err.Error(), "hunter2") {
		t.Fatalf("the error shows the password: %v", err)
	}
}

func TestSubject(t *testing.T) {
	for _, c := range []struct {
		tokens []string
		want   string
	}{
		{[]string{"signal", "host-a", "in"}, "parley.signal.host-a.in"},
		{[]string{"signal", "web-1.eu.example.com", "in"}, "parley.signal.web-1%2Eeu%2Eexample%2Ecom.in"},
		{[]string{"calls", "a*b>c d%", "changed"}, "parley.calls.a%2Ab%3Ec%20d%25.changed"},
	} {
		if got := bus.Subject(c.tokens...); got != c.want {
			t.Errorf("Subject(%q) = %q, want %q", c.tokens, got, c.want)
		}
	}
}
