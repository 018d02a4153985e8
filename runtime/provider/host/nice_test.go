package host

import (
	"fmt"
	"os"
	"strconv"
	"strings"
	"syscall"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/parleyhq/parley/runtime/provider"
)

// taskStat returns fields of /proc/<pid>/task/<tid>/stat, numbered as in
// proc(5) (3 is the state, 5 the process group, 19 the nice value).
func taskStat(t *testing.T, pid int, tid string) map[int]string {
	t.Helper()
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/task/%s/stat", pid, tid))
	require.NoError(t, err)
	s := string(b)
	rest := strings.Fields(s[strings.LastIndexByte(s, ')')+1:])
	out := map[int]string{}
	for i, f := range rest {
		out[i+3] = f
	}
	return out
}

// TestPluginIsNicedInItsOwnProcessGroup starts a real plugin with a nice
// value: every one of its threads has it, and it leads a process group of
// its own, so a signal to the runtime's group does not reach it.
func TestPluginIsNicedInItsOwnProcessGroup(t *testing.T) {
	h, _ := newHost(t, func(c *Config) { c.Nice = 7 })
	p := healthy(t, h, "fake")
	pid := p.Status().PID
	tasks, err := os.ReadDir(fmt.Sprintf("/proc/%d/task", pid))
	require.NoError(t, err)
	require.Greater(t, len(tasks), 1, "a Go plugin has several threads")
	for _, task := range tasks {
		st := taskStat(t, pid, task.Name())
		require.Equal(t, "7", st[19], "thread %s of plugin %d", task.Name(), pid)
	}
	require.Equal(t, strconv.Itoa(pid), taskStat(t, pid, strconv.Itoa(pid))[5], "plugin leads its own process group")
	require.NotEqual(t, syscall.Getpgrp(), pid)
	// Threads started later inherit the value: ask for work that may start
	// some, then look again.
	for range 20 {
		_, _ = p.Sentiment().Analyze(t.Context(), sentimentReq("fine"))
	}
	tasks, err = os.ReadDir(fmt.Sprintf("/proc/%d/task", pid))
	require.NoError(t, err)
	for _, task := range tasks {
		require.Equal(t, "7", taskStat(t, pid, task.Name())[19], "thread %s of plugin %d", task.Name(), pid)
	}
}

func TestPluginKeepsTheRuntimesPriorityWithoutNice(t *testing.T) {
	h, _ := newHost(t)
	p := healthy(t, h, "fake")
	pid := p.Status().PID
	self := taskStat(t, os.Getpid(), strconv.Itoa(os.Getpid()))[19]
	require.Equal(t, self, taskStat(t, pid, strconv.Itoa(pid))[19])
}

func sentimentReq(text string) provider.SentimentRequest {
	return provider.SentimentRequest{Text: text}
}
