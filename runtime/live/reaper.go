package live

import (
	"context"
	"time"

	"github.com/parleyhq/parley/runtime/call"
	"github.com/parleyhq/parley/runtime/fault"
	"github.com/parleyhq/parley/runtime/metrics"
)

// reap frees, every quarter of the ring timeout (1 s to 5 s), the sessions
// that never got going: made by a join, an early candidate or an offer,
// and still not IN_PROGRESS a ring timeout later. Their call fails (no
// answer); a session whose call had already finished (a race between the
// session's making and the call's end) is simply freed. With the calls'
// own lifetimes this bounds Manager's sessions. It runs until Close.
func (m *Manager) reap() {
	defer close(m.reaperDone)
	every := min(max(m.cfg.RingTimeout/4, time.Second), 5*time.Second)
	t := time.NewTicker(every)
	defer t.Stop()
	for {
		select {
		case <-m.stopReaper:
			return
		case now := <-t.C:
			m.reapOnce(now)
		}
	}
}

// reapOnce finishes the sessions older than the ring timeout without media.
func (m *Manager) reapOnce(now time.Time) {
	defer fault.Recover(metrics.ComponentLive, m.teardownPanicked("reaper"))
	var stale []string
	m.mu.Lock()
	for id, s := range m.sessions {
		if s.stale(now, m.cfg.RingTimeout) {
			stale = append(stale, id)
		}
	}
	m.mu.Unlock()
	for _, id := range stale {
		select {
		case <-m.stopReaper:
			return // Close finishes them
		default:
		}
		m.log.Info("session reaped: no media", "call", id)
		m.finish(context.Background(), id, call.ReasonNoAnswer)
	}
}

// stale reports whether the session never reached IN_PROGRESS within
// timeout of its making.
func (s *session) stale(now time.Time, timeout time.Duration) bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	return !s.started && !s.done && now.Sub(s.created) > timeout
}
