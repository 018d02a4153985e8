package main

import (
	"context"
	"fmt"
	"os"
	"time"

	"github.com/parleyhq/parley/bench/internal/proc"
)

// meter samples the runtime process tree (when its pid is known), this
// program and the machine: a baseline before any call, then the start and
// end of the steady window, with resident-memory peaks in between.
type meter struct {
	pid                       int
	base, start0, end0        proc.Tree
	self0, self1              proc.Sample
	peakRuntime, peakChildren uint64
	peakByName                map[string]uint64
	machineStart, machineEnd  proc.CPUTicks
	windowStart, windowEnd    time.Time
	runtimeGone               bool
	drift                     *drifter // nil unless -drift
	chaos                     *chaoser // nil unless -chaos
}

func newMeter(pid int) *meter { return &meter{pid: pid, peakByName: map[string]uint64{}} }

func (m *meter) baseline() error {
	if m.pid == 0 {
		return nil
	}
	var err error
	m.base, err = proc.SampleTree(m.pid)
	return err
}

func (m *meter) start() error {
	m.windowStart = time.Now()
	m.machineStart = proc.ReadCPUTicks()
	m.self0, _ = proc.Read(os.Getpid())
	if m.pid == 0 {
		return nil
	}
	var err error
	m.start0, err = proc.SampleTree(m.pid)
	m.peak(m.start0)
	return err
}

// watch waits out the window, sampling memory every second; it returns
// early if ctx ends or the runtime exits.
func (m *meter) watch(ctx context.Context, d time.Duration) error {
	deadline := time.Now().Add(d)
	m.drift.tick(ctx, time.Now())
	m.chaos.tick(time.Now())
	tick := time.NewTicker(time.Second)
	defer tick.Stop()
	for {
		left := time.Until(deadline)
		if left <= 0 {
			return nil
		}
		select {
		case <-ctx.Done():
			return fmt.Errorf("window cut short: %w", ctx.Err())
		case <-time.After(left):
			return nil
		case <-tick.C:
			if m.pid == 0 {
				continue
			}
			t, err := proc.SampleTree(m.pid)
			if err != nil {
				m.runtimeGone = true
				return fmt.Errorf("during the window: %w", err)
			}
			m.peak(t)
			m.drift.tick(ctx, time.Now())
			m.chaos.tick(time.Now())
		}
	}
}

func (m *meter) end() error {
	m.windowEnd = time.Now()
	m.machineEnd = proc.ReadCPUTicks()
	m.self1, _ = proc.Read(os.Getpid())
	if m.pid == 0 || m.runtimeGone {
		return nil
	}
	var err error
	m.end0, err = proc.SampleTree(m.pid)
	m.peak(m.end0)
	return err
}

func (m *meter) peak(t proc.Tree) {
	m.peakRuntime = max(m.peakRuntime, t.Runtime.RSS)
	m.peakChildren = max(m.peakChildren, t.ChildRSS())
	byName := map[string]uint64{}
	for _, c := range t.Children {
		byName[c.Name] += c.RSS
	}
	for n, rss := range byName {
		m.peakByName[n] = max(m.peakByName[n], rss)
	}
}

// processes is the per-process part of the report.
func (m *meter) processes(calls int) *Processes {
	window := m.windowEnd.Sub(m.windowStart)
	p := &Processes{
		Machine: proc.MachineUsage(m.machineStart, m.machineEnd),
		GeneratorCPUPercent: func() float64 {
			if window <= 0 {
				return 0
			}
			return 100 * float64(m.self1.CPU-m.self0.CPU) / float64(window)
		}(),
	}
	if m.pid == 0 || m.runtimeGone {
		return p
	}
	rt := proc.Measure("runtime", m.base, m.start0, m.end0, m.peakRuntime, calls, proc.PickRuntime)
	kids := proc.Measure("plugins", m.base, m.start0, m.end0, m.peakChildren, calls, proc.PickChildren)
	p.Runtime, p.Plugins = &rt, &kids
	names := map[string]bool{}
	for _, c := range m.end0.Children {
		names[c.Name] = true
	}
	for n := range names {
		p.PerPlugin = append(p.PerPlugin, proc.Measure(n, m.base, m.start0, m.end0, m.peakByName[n], calls, proc.PickNamed(n)))
	}
	sortUsage(p.PerPlugin)
	return p
}
