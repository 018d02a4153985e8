package main

import (
	"context"
	"fmt"
	"os"
	"time"
)

// meter samples the runtime process tree (when its pid is known), this
// program and the machine: a baseline before any call, then the start and
// end of the steady window, with resident-memory peaks in between.
type meter struct {
	pid                       int
	base, start0, end0        tree
	self0, self1              procSample
	peakRuntime, peakChildren uint64
	peakByName                map[string]uint64
	machineStart, machineEnd  machineCPU
	windowStart, windowEnd    time.Time
	runtimeGone               bool
}

func newMeter(pid int) *meter { return &meter{pid: pid, peakByName: map[string]uint64{}} }

func (m *meter) baseline() error {
	if m.pid == 0 {
		return nil
	}
	var err error
	m.base, err = sampleTree(m.pid)
	return err
}

func (m *meter) start() error {
	m.windowStart = time.Now()
	m.machineStart = readMachineCPU()
	m.self0, _ = readProc(os.Getpid())
	if m.pid == 0 {
		return nil
	}
	var err error
	m.start0, err = sampleTree(m.pid)
	m.peak(m.start0)
	return err
}

// watch waits out the window, sampling memory every second; it returns
// early if ctx ends or the runtime exits.
func (m *meter) watch(ctx context.Context, d time.Duration) error {
	deadline := time.Now().Add(d)
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
			t, err := sampleTree(m.pid)
			if err != nil {
				m.runtimeGone = true
				return fmt.Errorf("during the window: %w", err)
			}
			m.peak(t)
		}
	}
}

func (m *meter) end() error {
	m.windowEnd = time.Now()
	m.machineEnd = readMachineCPU()
	m.self1, _ = readProc(os.Getpid())
	if m.pid == 0 || m.runtimeGone {
		return nil
	}
	var err error
	m.end0, err = sampleTree(m.pid)
	m.peak(m.end0)
	return err
}

func (m *meter) peak(t tree) {
	m.peakRuntime = max(m.peakRuntime, t.Runtime.RSS)
	m.peakChildren = max(m.peakChildren, t.childRSS())
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
		Machine: machineUsage(m.machineStart, m.machineEnd),
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
	rt := usage("runtime", m.base, m.start0, m.end0, m.peakRuntime, calls, pickRuntime)
	kids := usage("plugins", m.base, m.start0, m.end0, m.peakChildren, calls, pickChildren)
	p.Runtime, p.Plugins = &rt, &kids
	names := map[string]bool{}
	for _, c := range m.end0.Children {
		names[c.Name] = true
	}
	for n := range names {
		p.PerPlugin = append(p.PerPlugin, usage(n, m.base, m.start0, m.end0, m.peakByName[n], calls, pickNamed(n)))
	}
	sortUsage(p.PerPlugin)
	return p
}
