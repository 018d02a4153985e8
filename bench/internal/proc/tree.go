package proc

import (
	"fmt"
	"time"
)

// Tree is a runtime process and its descendants at one instant.
type Tree struct {
	At       time.Time
	Runtime  Sample
	Children map[int]Sample
	Machine  CPUTicks
}

// SampleTree samples pid and its descendants, plus the machine's CPU.
func SampleTree(pid int) (Tree, error) {
	t := Tree{At: time.Now(), Children: map[int]Sample{}, Machine: ReadCPUTicks()}
	rt, err := Read(pid)
	if err != nil {
		return t, fmt.Errorf("runtime process %d: %w", pid, err)
	}
	t.Runtime = rt
	for _, c := range Descendants(pid) {
		t.Children[c.PID] = c
	}
	return t, nil
}

// ChildRSS sums the resident memory of the descendants.
func (t Tree) ChildRSS() uint64 {
	var n uint64
	for _, c := range t.Children {
		n += c.RSS
	}
	return n
}

// Usage is one process's (or a group's) share over the steady window.
type Usage struct {
	Name string `json:"name"`
	PIDs []int  `json:"pids,omitempty"`
	// CPUPercent is of one core (200 is both cores of a 2-core machine).
	CPUPercent        float64 `json:"cpuPercent"`
	CPUPercentPerCall float64 `json:"cpuPercentPerCall"`
	RSSBaselineMB     float64 `json:"rssBaselineMB"`
	RSSSteadyMB       float64 `json:"rssSteadyMB"`
	RSSPeakMB         float64 `json:"rssPeakMB"`
	RSSPerCallMB      float64 `json:"rssPerCallMB"`
}

const mb = 1 << 20

// Pick selects the processes of a group from a tree.
type Pick func(Tree) map[int]Sample

// Measure computes CPU between start and end, and RSS growth from baseline
// to end, divided over calls. pick selects the processes of the group.
func Measure(name string, baseline, start, end Tree, peak uint64, calls int, pick Pick) Usage {
	u := Usage{Name: name, RSSPeakMB: float64(peak) / mb}
	window := end.At.Sub(start.At)
	before, after := pick(start), pick(end)
	var cpu time.Duration
	var rss uint64
	for pid, p := range after {
		u.PIDs = append(u.PIDs, pid)
		cpu += p.CPU - before[pid].CPU // a process born in the window counts from zero
		rss += p.RSS
	}
	var base uint64
	for _, p := range pick(baseline) {
		base += p.RSS
	}
	if window > 0 {
		u.CPUPercent = 100 * float64(cpu) / float64(window)
	}
	u.RSSBaselineMB, u.RSSSteadyMB = float64(base)/mb, float64(rss)/mb
	if calls > 0 {
		u.CPUPercentPerCall = u.CPUPercent / float64(calls)
		u.RSSPerCallMB = (u.RSSSteadyMB - u.RSSBaselineMB) / float64(calls)
	}
	return u
}

// PickRuntime selects the runtime process.
func PickRuntime(t Tree) map[int]Sample { return map[int]Sample{t.Runtime.PID: t.Runtime} }

// PickChildren selects every descendant.
func PickChildren(t Tree) map[int]Sample { return t.Children }

// PickNamed selects the descendants called name.
func PickNamed(name string) Pick {
	return func(t Tree) map[int]Sample {
		out := map[int]Sample{}
		for pid, c := range t.Children {
			if c.Name == name {
				out[pid] = c
			}
		}
		return out
	}
}
