package main

import (
	"crypto/sha256"
	"encoding/json"
	"fmt"
	"sync"

	"github.com/parleyhq/parley/runtime/provider"
)

// maxScripts bounds the cache: one entry per distinct options value, that
// is per agent (and per edit of one), so a few dozen is plenty.
const maxScripts = 64

// parsed is the outcome of parsing one options value.
type parsed struct {
	script   *script
	problems []provider.OptionProblem
}

// scripts parses each distinct options value once: the options come with
// every turn, and a turn should cost a hash and a match, not a parse.
// Entries are keyed by the SHA-256 of the options' JSON (encoding/json
// sorts map keys, so equal options hash alike) and evicted oldest first.
type scripts struct {
	mu      sync.Mutex
	entries map[[sha256.Size]byte]*parsed
	order   [][sha256.Size]byte // insertion order, oldest first
}

func newScripts() *scripts {
	return &scripts{entries: make(map[[sha256.Size]byte]*parsed)}
}

// get returns the parse of opts, parsing it on first sight.
func (c *scripts) get(opts provider.Options) (*parsed, error) {
	b, err := json.Marshal(opts)
	if err != nil {
		return nil, fmt.Errorf("%w: cannot encode options: %w", provider.ErrInvalidOptions, err)
	}
	key := sha256.Sum256(b)
	c.mu.Lock()
	p, ok := c.entries[key]
	c.mu.Unlock()
	if ok {
		return p, nil
	}

	// Decode the JSON again so that values have JSON's types whatever the
	// caller put in the map (int or float64, []string or []any).
	var raw any
	if err := json.Unmarshal(b, &raw); err != nil {
		return nil, fmt.Errorf("%w: cannot decode options: %w", provider.ErrInvalidOptions, err)
	}
	m, _ := raw.(map[string]any) // null (no options) parses as an empty script
	p = &parsed{}
	p.script, p.problems = parseScript(m)

	c.mu.Lock()
	defer c.mu.Unlock()
	if have, ok := c.entries[key]; ok {
		return have, nil // parsed meanwhile by another turn
	}
	if len(c.order) >= maxScripts {
		delete(c.entries, c.order[0])
		c.order = c.order[1:]
	}
	c.entries[key] = p
	c.order = append(c.order, key)
	return p, nil
}

// len is the number of cached entries.
func (c *scripts) len() int {
	c.mu.Lock()
	defer c.mu.Unlock()
	return len(c.entries)
}
