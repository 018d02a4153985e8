package main

import (
	"context"
	"fmt"
	"io"
	"slices"
	"syscall"
	"time"

	"github.com/parleyhq/parley/bench/internal/proc"
)

// chaoser hurts the runtime during the window (-chaos): it SIGKILLs each
// of its plugin processes in turn, one every interval; the runtime must
// restart them while every call goes on. With -chaos-caller, one call is
// placed from a caller number that a runtime built with -tags chaos panics
// on (PARLEY_CHAOS_PANIC_CALLER): that call alone must fail.
type chaoser struct {
	every time.Duration
	pid   int
	start time.Time
	next  time.Time
	done  map[string]bool // plugins already killed
	kills []ChaosKill
}

// ChaosKill is one plugin process killed.
type ChaosKill struct {
	Seconds float64 `json:"seconds"`
	Plugin  string  `json:"plugin"`
	PID     int     `json:"pid"`
}

// Chaos is what the run did and what became of the calls.
type Chaos struct {
	Kills []ChaosKill `json:"kills"`
	// PanicCall is the status of the call the runtime was made to panic
	// on (empty without -chaos-caller).
	PanicCall string `json:"panicCall,omitempty"`
	// Others counts the other calls by their status at the end of the
	// window: all IN_PROGRESS is the goal.
	Others map[string]int `json:"others"`
}

func newChaoser(every time.Duration, pid int) *chaoser {
	return &chaoser{every: every, pid: pid, done: map[string]bool{}}
}

// tick kills the next plugin when one is due.
func (c *chaoser) tick(now time.Time) {
	if c == nil || c.pid == 0 {
		return
	}
	if c.start.IsZero() {
		c.start, c.next = now, now.Add(c.every)
		return
	}
	if now.Before(c.next) {
		return
	}
	c.next = now.Add(c.every)
	var victims []proc.Sample
	for _, p := range proc.Descendants(c.pid) {
		if p.PPID == c.pid && !c.done[p.Name] {
			victims = append(victims, p)
		}
	}
	if len(victims) == 0 {
		return
	}
	slices.SortFunc(victims, func(a, b proc.Sample) int { return cmpString(a.Name, b.Name) })
	v := victims[0]
	if err := syscall.Kill(v.PID, syscall.SIGKILL); err != nil {
		return
	}
	c.done[v.Name] = true
	c.kills = append(c.kills, ChaosKill{Seconds: now.Sub(c.start).Seconds(), Plugin: v.Name, PID: v.PID})
}

func cmpString(a, b string) int {
	switch {
	case a < b:
		return -1
	case a > b:
		return 1
	}
	return 0
}

// result reads every call's status from the runtime at the end of the
// window, before the calls are hung up.
func (c *chaoser) result(ctx context.Context, sh *shared, calls []*call, panicIdx int) *Chaos {
	if c == nil {
		return nil
	}
	out := &Chaos{Kills: c.kills, Others: map[string]int{}}
	for i, cl := range calls {
		status := "not placed"
		if cl.p != nil && cl.p.Info != nil {
			got, err := sh.rest.Call(ctx, cl.p.Info.ID)
			switch {
			case err != nil:
				status = "unknown: " + err.Error()
			case got.EndReason != "":
				status = got.Status + " (" + got.EndReason + ")"
			default:
				status = got.Status
			}
		}
		if i == panicIdx {
			out.PanicCall = status
			continue
		}
		out.Others[status]++
	}
	return out
}

func (ch *Chaos) print(w io.Writer) {
	_, _ = fmt.Fprintf(w, "\nchaos:\n")
	for _, k := range ch.Kills {
		_, _ = fmt.Fprintf(w, "  %6.1f s  SIGKILL %s (pid %d)\n", k.Seconds, k.Plugin, k.PID)
	}
	if ch.PanicCall != "" {
		_, _ = fmt.Fprintf(w, "  the call the runtime panicked on: %s\n", ch.PanicCall)
	}
	_, _ = fmt.Fprintf(w, "  the other calls at the end of the window: %v\n", ch.Others)
}
