package host

import (
	"errors"
	"fmt"
	"os"
	"strconv"

	"golang.org/x/sys/unix"
)

// renice gives every thread of process pid the scheduling niceness nice,
// so that under CPU overload the runtime (its media pacing above all)
// runs first and a busy plugin only answers later. On Linux niceness
// belongs to each thread: the threads the plugin already has are set one
// by one, and threads it starts later inherit it from them. Two passes
// catch a thread created during the first.
func renice(pid, nice int) error {
	var errs []error
	for range 2 {
		tasks, err := os.ReadDir(fmt.Sprintf("/proc/%d/task", pid))
		if err != nil {
			return fmt.Errorf("renice plugin %d: %w", pid, err)
		}
		errs = errs[:0]
		for _, t := range tasks {
			tid, err := strconv.Atoi(t.Name())
			if err != nil {
				continue
			}
			if err := unix.Setpriority(unix.PRIO_PROCESS, tid, nice); err != nil && !errors.Is(err, unix.ESRCH) {
				errs = append(errs, fmt.Errorf("renice plugin %d thread %d to %d: %w", pid, tid, nice, err))
			}
		}
	}
	return errors.Join(errs...)
}
