// Package proc reads CPU time and resident memory of a process and its
// descendants, and the machine's CPU, from Linux's /proc.
package proc

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

// Sample is one process's CPU time and resident memory at an instant.
type Sample struct {
	PID  int
	Name string
	CPU  time.Duration // utime + stime since the process started
	RSS  uint64        // VmRSS, bytes
	PPID int
}

// Read reads /proc/<pid>/stat and /proc/<pid>/status.
func Read(pid int) (Sample, error) {
	raw, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", pid))
	if err != nil {
		return Sample{}, err
	}
	// The command name is in parentheses and may itself hold spaces or
	// parentheses: split at the last ')'.
	open, closing := bytes.IndexByte(raw, '('), bytes.LastIndexByte(raw, ')')
	if open < 0 || closing < open {
		return Sample{}, fmt.Errorf("/proc/%d/stat: unexpected format", pid)
	}
	s := Sample{PID: pid, Name: string(raw[open+1 : closing])}
	fields := strings.Fields(string(raw[closing+1:]))
	// fields[0] is field 3 (state): ppid is field 4, utime 14, stime 15.
	if len(fields) < 13 {
		return Sample{}, fmt.Errorf("/proc/%d/stat: %d fields", pid, len(fields))
	}
	s.PPID, _ = strconv.Atoi(fields[1])
	utime, err1 := strconv.ParseUint(fields[11], 10, 64)
	stime, err2 := strconv.ParseUint(fields[12], 10, 64)
	if err1 != nil || err2 != nil {
		return Sample{}, fmt.Errorf("/proc/%d/stat: bad cpu times", pid)
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

// Descendants returns every live process below pid (plugins and anything
// they start), found by scanning /proc for parent ids.
func Descendants(pid int) []Sample {
	entries, err := os.ReadDir("/proc")
	if err != nil {
		return nil
	}
	byParent := map[int][]Sample{}
	for _, e := range entries {
		id, err := strconv.Atoi(e.Name())
		if err != nil {
			continue
		}
		if s, err := Read(id); err == nil {
			byParent[s.PPID] = append(byParent[s.PPID], s)
		}
	}
	var out []Sample
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
