package pipeline

import (
	"sync"

	"github.com/parleyhq/parley/runtime/pcm"
)

// speechCache keeps the synthesised audio of fixed texts (greetings,
// apologies), so that a hundred calls of one agent synthesise its greeting
// once. It holds at most max texts; a full cache forgets an arbitrary one.
type speechCache struct {
	mu  sync.Mutex
	max int
	m   map[string][]pcm.Audio
}

func newSpeechCache(max int) *speechCache {
	return &speechCache{max: max, m: map[string][]pcm.Audio{}}
}

func (c *speechCache) get(key string) ([]pcm.Audio, bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	v, ok := c.m[key]
	return v, ok
}

func (c *speechCache) put(key string, chunks []pcm.Audio) {
	if len(chunks) == 0 {
		return
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	if len(c.m) >= c.max {
		for k := range c.m {
			delete(c.m, k)
			break
		}
	}
	c.m[key] = chunks
}
