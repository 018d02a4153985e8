package proc

import (
	"os"
	"os/exec"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
)

func TestReadProcSelf(t *testing.T) {
	s, err := Read(os.Getpid())
	require.NoError(t, err)
	require.Equal(t, os.Getppid(), s.PPID)
	require.Positive(t, s.RSS)
	require.NotEmpty(t, s.Name)
	_, err = Read(-1)
	require.Error(t, err)
}

func TestDescendantsAndUsage(t *testing.T) {
	// A child that burns CPU for a moment, then sleeps.
	cmd := exec.Command("sh", "-c", "i=0; while [ $i -lt 200000 ]; do i=$((i+1)); done; exec sleep 30")
	require.NoError(t, cmd.Start())
	t.Cleanup(func() { _ = cmd.Process.Kill(); _ = cmd.Wait() })

	base, err := SampleTree(os.Getpid())
	require.NoError(t, err)
	require.Contains(t, base.Children, cmd.Process.Pid)

	var end Tree
	require.Eventually(t, func() bool {
		end, err = SampleTree(os.Getpid())
		return err == nil && end.Children[cmd.Process.Pid].Name == "sleep"
	}, 20*time.Second, 20*time.Millisecond, "the child execs sleep")

	u := Measure("kids", base, base, end, end.ChildRSS(), 2, PickChildren)
	require.Contains(t, u.PIDs, cmd.Process.Pid)
	require.Positive(t, u.CPUPercent, "the loop used CPU between the samples")
	require.InDelta(t, u.CPUPercent/2, u.CPUPercentPerCall, 1e-9)
	require.Positive(t, u.RSSSteadyMB)
	named := Measure("sleep", base, base, end, 0, 1, PickNamed("sleep"))
	require.Equal(t, []int{cmd.Process.Pid}, named.PIDs)
}

func TestMachineUsage(t *testing.T) {
	a := CPUTicks{100, 0, 50, 800, 0, 0, 10, 0}
	b := CPUTicks{150, 0, 70, 900, 0, 0, 30, 0} // +50 user +20 system +100 idle +20 softirq
	u := MachineUsage(a, b)
	require.InDelta(t, 100*90.0/190, u.Busy, 1e-9)
	require.InDelta(t, 100*50.0/190, u.User, 1e-9)
	require.InDelta(t, 100*20.0/190, u.SoftIRQ, 1e-9)
	require.Zero(t, MachineUsage(a, a).Busy)
	m := ReadCPUTicks()
	require.Positive(t, m.total())
	require.Positive(t, m[3], "idle ticks")
}
