package agent

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/fsnotify/fsnotify"
)

// Run watches the agents directory and reloads after changes, waiting for
// the debounce interval (see WithDebounce) to pass without further events.
// It watches the directory rather than the files, because editors and
// Kubernetes replace files by rename, which ends a watch on the file itself.
// It reloads once when the watch is in place, to catch changes made since
// NewRegistry. It returns nil when ctx is done, after closing the watcher
// and stopping every goroutine it started, or an error if the directory
// cannot be watched.
func (r *Registry) Run(ctx context.Context) error {
	w, err := fsnotify.NewWatcher()
	if err != nil {
		return fmt.Errorf("watch agents directory: %w", err)
	}
	defer w.Close()
	if err := w.Add(r.dir); err != nil {
		return fmt.Errorf("watch agents directory %s: %w", r.dir, err)
	}
	_ = r.Reload() // logged by Reload; the previous agents stay

	timer := time.NewTimer(r.debounce)
	timer.Stop()
	defer timer.Stop()
	for {
		select {
		case <-ctx.Done():
			return nil
		case ev, ok := <-w.Events:
			if !ok {
				return errors.New("watch agents directory: watcher closed")
			}
			// Any change may matter: besides agent files, Kubernetes swaps a
			// hidden ..data symlink. A needless reload is cheap and quiet.
			if ev.Op != fsnotify.Chmod {
				timer.Reset(r.debounce)
			}
		case err, ok := <-w.Errors:
			if !ok {
				return errors.New("watch agents directory: watcher closed")
			}
			// Usually an event queue overflow: events were lost, so reload.
			r.log.Warn("watch agents directory", "dir", r.dir, "err", err)
			timer.Reset(r.debounce)
		case <-timer.C:
			_ = r.Reload()
		}
	}
}
