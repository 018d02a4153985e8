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

// chaoser hurts the runtime during the window (-chaos): it SIGKILLs its
// plugin processes in turn, one every interval, round and round; the
// runtime must restart them while every call goes on. With -chaos-agent, the first call
// goes to an agent that a runtime built with -tags chaos panics on
// (runtime/pipeline/chaos.go): that call alone must fail.
type chaoser struct {
	every time.Duration
	pid   int
	start time.Time
	next  time.Time
	last  string // name of the plugin killed last
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
	// on (empty without -chaos-agent).
	PanicCall string `json:"panicCall,omitempty"`
	// Others counts the other calls by their status at the end of the
	// window: all IN_PROGRESS is the goal.
	Others map[string]int `json:"others"`
}

func newChaoser(every time.Duration, pid int) *chaoser {
	return &chaoser{every: every, pid: pid}
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
	var plugins []proc.Sample
	for _, p := range proc.Descendants(c.pid) {
		if p.PPID == c.pid {
			plugins = append(plugins, p)
		}
	}
	if len(plugins) == 0 {
		return
	}
	// The next name after the last one killed, in name order.
	slices.SortFunc(plugins, func(a, b proc.Sample) int { return cmpString(a.Name, b.Name) })
	v := plugins[0]
	for _, p := range plugins {
		if p.Name > c.last {
			v = p
			break
		}
	}
	if err := syscall.Kill(v.PID, syscall.SIGKILL); err != nil {
		return
	}
	c.last = v.Name
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
