package metrics

import (
	"maps"
	"sync"
	"sync/atomic"
)

// Label values that stand for several inputs.
const (
	other = "other" // a value beyond a cap, or not from a fixed set
	none  = "none"  // an empty input
)

// Caps on distinct label values: agents come from files (a few dozen at
// most), plugins from the plugin directory and agent files.
const (
	maxAgents  = 64
	maxPlugins = 32
	maxValue   = 64   // bytes in one label value
	maxCached  = 1024 // inputs remembered by each cache
)

// labelSet admits at most max distinct label values; later ones become
// "other". Once a value is admitted or refused, the answer never changes,
// so a gauge incremented under a value is decremented under the same one.
type labelSet struct {
	max int

	mu   sync.Mutex
	seen map[string]struct{}
}

func newLabelSet(maxValues int) *labelSet {
	return &labelSet{max: maxValues, seen: map[string]struct{}{}}
}

// clamp returns the label value to use for v.
func (s *labelSet) clamp(v string) string {
	if v == "" {
		return none
	}
	if !validValue(v) {
		return other
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if _, ok := s.seen[v]; ok {
		return v
	}
	if len(s.seen) >= s.max {
		return other
	}
	s.seen[v] = struct{}{}
	return v
}

// validValue accepts names as agents and plugins spell them; anything else
// (a path, a stray phone number with a '+', odd bytes) is refused.
func validValue(v string) bool {
	if len(v) > maxValue {
		return false
	}
	for i := 0; i < len(v); i++ {
		c := v[i]
		switch {
		case c >= 'a' && c <= 'z', c >= 'A' && c <= 'Z', c >= '0' && c <= '9', c == '.', c == '_', c == '-':
		default:
			return false
		}
	}
	return true
}

// cache maps a method's raw inputs to the collectors they resolve to. Reads
// are one atomic load and a map lookup of a copy-on-write map: no lock, no
// allocation on the audio path. Misses, which happen once per new input,
// copy the map. Beyond maxCached inputs it stops remembering and builds
// every time: still correct, only slower.
type cache[K comparable, V any] struct {
	build func(K) V

	mu sync.Mutex // serializes misses
	m  atomic.Pointer[map[K]V]
}

func newCache[K comparable, V any](build func(K) V) *cache[K, V] {
	return &cache[K, V]{build: build}
}

func (c *cache[K, V]) get(k K) V {
	if m := c.m.Load(); m != nil {
		if v, ok := (*m)[k]; ok {
			return v
		}
	}
	return c.miss(k)
}

func (c *cache[K, V]) miss(k K) V {
	c.mu.Lock()
	defer c.mu.Unlock()
	var old map[K]V
	if m := c.m.Load(); m != nil {
		old = *m
	}
	if v, ok := old[k]; ok {
		return v
	}
	v := c.build(k)
	if len(old) >= maxCached {
		return v
	}
	next := make(map[K]V, len(old)+1)
	maps.Copy(next, old)
	next[k] = v
	c.m.Store(&next)
	return v
}
