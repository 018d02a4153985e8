// Package ctxtime holds the one sleep every goroutine of this project that
// waits on a timer needs: one that ends early when its context does.
package ctxtime

import (
	"context"
	"time"
)

// Sleep waits for d, or until ctx is done, and returns ctx.Err() then. A
// d of zero or less does not wait: it returns ctx.Err() at once.
func Sleep(ctx context.Context, d time.Duration) error {
	if d <= 0 {
		return ctx.Err()
	}
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}
