package main

import (
	"bufio"
	"bytes"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"time"
)

// clockTicks is Linux's USER_HZ, the unit of utime and stime in
// /proc/<pid>/stat; it is 100 on every architecture Go supports on Linux.
const clockTicks = 100

// procSample is one process's CPU time and resident memory at an instant.
type procSample struct {
	PID  int
	Name string
	CPU  time.Duration // utime + stime since the process started
	RSS  uint64        // VmRSS, bytes
	PPID int
}

// readProc reads /proc/<pid>/stat and /proc/<pid>/status.
func readProc(pid int) (procSample, error) {
	raw, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", pid))
	if err != nil {
		return procSample{}, err
	}
	// The command name is in parentheses and may itself hold spaces or
	// parentheses: split at the last ')'.
	open, closing := bytes.IndexByte(raw, '('), bytes.LastIndexByte(raw, ')')
	if open < 0 || closing < open {
		return procSample{}, fmt.Errorf("/proc/%d/stat: unexpected format", pid)
	}
	s := procSample{PID: pid, Name: string(raw[open+1 : closing])}
	fields := strings.Fields(string(raw[closing+1:]))
	// fields[0] is field 3 (state): ppid is field 4, utime 14, stime 15.
	if len(fields) < 13 {
		return procSample{}, fmt.Errorf("/proc/%d/stat: %d fields", pid, len(fields))
	}
	s.PPID, _ = strconv.Atoi(fields[1])
	utime, err1 := strconv.ParseUint(fields[11], 10, 64)
	stime, err2 := strconv.ParseUint(fields[12], 10, 64)
	if err1 != nil || err2 != nil {
		return procSample{}, fmt.Errorf("/proc/%d/stat: bad cpu times", pid)
	}
	s.CPU = time.Duration(utime+stime) * time.Second / clockTicks
	if cmd, err := os.ReadFile(fmt.Sprintf("/proc/%d/cmdline", pid)); err == nil && len(cmd) > 0 {
		// comm is cut at 15 bytes; the executable's base name is not.
		s.Name = filepath.Base(string(bytes.SplitN(cmd, []byte{0}, 2)[0]))
	}
	s.RSS, err = statusRSS(pid)
	return s, err
}

func statusRSS(pid int) (uint64, error) {
	f, err := os.Open(fmt.Sprintf("/proc/%d/status", pid))
	if err != nil {
		return 0, err
	}
	defer func() { _ = f.Close() }()
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		rest, ok := strings.CutPrefix(sc.Text(), "VmRSS:")
		if !ok {
			continue
		}
		kb, err := strconv.ParseUint(strings.TrimSuffix(strings.TrimSpace(rest), " kB"), 10, 64)
		if err != nil {
			return 0, fmt.Errorf("/proc/%d/status: VmRSS: %w", pid, err)
		}
		return kb << 10, nil
	}
	return 0, sc.Err() // a zombie has no VmRSS
}

// descendants returns every live process below pid (plugins and anything
// they start), found by scanning /proc for parent ids.
func descendants(pid int) []procSample {
	entries, err := os.ReadDir("/proc")
	if err != nil {
		return nil
	}
	byParent := map[int][]procSample{}
	for _, e := range entries {
		id, err := strconv.Atoi(e.Name())
		if err != nil {
			continue
		}
		if s, err := readProc(id); err == nil {
			byParent[s.PPID] = append(byParent[s.PPID], s)
		}
	}
	var out []procSample
	queue := []int{pid}
	for len(queue) > 0 {
		p := queue[0]
		queue = queue[1:]
		for _, c := range byParent[p] {
			out = append(out, c)
			queue = append(queue, c.PID)
		}
	}
	return out
}

// machineCPU is the first line of /proc/stat, in ticks: user nice system
// idle iowait irq softirq steal (guest time is already inside user and
// nice).
type machineCPU [8]uint64

func readMachineCPU() machineCPU {
	var m machineCPU
	raw, err := os.ReadFile("/proc/stat")
	if err != nil {
		return m
	}
	line, _, _ := strings.Cut(string(raw), "\n")
	fields := strings.Fields(line)
	for i := range m {
		if i+1 < len(fields) {
			m[i], _ = strconv.ParseUint(fields[i+1], 10, 64)
		}
	}
	return m
}

func (m machineCPU) total() (n uint64) {
	for _, v := range m {
		n += v
	}
	return n
}

// MachineCPU is the machine's CPU over the window, in percent of all
// cores; loopback UDP is largely softirq time that no process is charged.
type MachineCPU struct {
	Busy    float64 `json:"busyPercent"`
	User    float64 `json:"userPercent"`
	System  float64 `json:"systemPercent"`
	SoftIRQ float64 `json:"softirqPercent"`
	Steal   float64 `json:"stealPercent"`
}

func machineUsage(a, b machineCPU) MachineCPU {
	if b.total() <= a.total() {
		return MachineCPU{}
	}
	total := b.total() - a.total()
	pct := func(i ...int) float64 {
		var n uint64
		for _, j := range i {
			n += b[j] - a[j]
		}
		return 100 * float64(n) / float64(total)
	}
	return MachineCPU{Busy: pct(0, 1, 2, 5, 6, 7), User: pct(0, 1), System: pct(2), SoftIRQ: pct(5, 6), Steal: pct(7)}
}
