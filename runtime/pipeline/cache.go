package pipeline

import (
	"sync"

	"github.com/parleyhq/parley/runtime/audio"
)

// speechCache keeps the synthesised audio of fixed texts (greetings,
// apologies), so that a hundred calls of one agent synthesise its greeting
// once. It holds at most max texts; a full cache forgets an arbitrary one.
type speechCache struct {
	mu  sync.Mutex
	max int
	m   map[string][]audio.PCM
}

func newSpeechCache(max int) *speechCache {
	return &speechCache{max: max, m: map[string][]audio.PCM{}}
}

func (c *speechCache) get(key string) ([]audio.PCM, bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	v, ok := c.m[key]
	return v, ok
}

func (c *speechCache) put(key string, chunks []audio.PCM) {
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
