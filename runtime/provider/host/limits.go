package host

import (
	"path/filepath"

	"github.com/parleyhq/parley/runtime/agent"
)

// MaxStreams is how many calls at once the plugin declared it serves well
// (0: no limit). The last declaration is kept while the plugin restarts.
func (p *Process) MaxStreams() int {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.maxStreams
}

// StreamLimits returns, for each plugin of spec that declares a stream
// limit, its binary's path and the limit; service.Calls uses it to refuse
// calls past the limit. A plugin that has not started yet is started (not
// waited for) and counts as unlimited until it says otherwise.
func (h *Host) StreamLimits(spec *agent.Spec) map[string]int {
	var out map[string]int
	for _, u := range uses(spec) {
		p, err := h.Plugin(u.ref.Plugin, filepath.Dir(spec.File))
		if err != nil {
			continue // the call fails for this reason anyway, with a clearer error
		}
		if n := p.MaxStreams(); n > 0 {
			if out == nil {
				out = map[string]int{}
			}
			out[p.path] = n
		}
	}
	return out
}
