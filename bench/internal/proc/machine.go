package proc

import (
	"os"
	"strconv"
	"strings"
)

// CPUTicks is the first line of /proc/stat, in ticks: user nice system
// idle iowait irq softirq steal (guest time is already inside user and
// nice).
type CPUTicks [8]uint64

// ReadCPUTicks reads the machine's CPU ticks; they are zero where
// /proc/stat cannot be read.
func ReadCPUTicks() CPUTicks {
	var m CPUTicks
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

func (m CPUTicks) total() (n uint64) {
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

// MachineUsage is the machine's CPU between the readings a and b.
func MachineUsage(a, b CPUTicks) MachineCPU {
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
