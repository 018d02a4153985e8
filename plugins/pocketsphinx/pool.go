package main

import (
	"errors"
	"fmt"
	"sync"

	"github.com/parleyhq/parley/plugins/internal/sphinx"
)

// Pool sizes. A decoder with the default language model holds about 90 MB
// and takes about 0.3 s to load; one with a grammar or keywords about
// 10 MB and 0.1 s.
const (
	maxIdlePerConfig = 2 // ready decoders kept per configuration
	maxIdle          = 4 // ... and in all
)

// errPoolClosed is what the pool answers once closed.
var errPoolClosed = errors.New("pocketsphinx: decoder pool closed")

// pool keeps loaded decoders ready, per configuration, so that a new
// stream does not wait for a model load: a stream takes one and gives it
// back (reset) when it ends; taking the last ready one starts loading a
// spare in the background.
type pool struct {
	load func(sphinx.Config) (*sphinx.Decoder, error)

	mu      sync.Mutex
	idle    map[string][]*sphinx.Decoder
	nIdle   int
	loading map[string]chan struct{} // closed when the background load of a key ends
	closed  bool
	wg      sync.WaitGroup // background loads
}

func newPool(load func(sphinx.Config) (*sphinx.Decoder, error)) *pool {
	return &pool{load: load, idle: map[string][]*sphinx.Decoder{}, loading: map[string]chan struct{}{}}
}

// get returns a decoder for cfg: a ready one, the one being loaded in the
// background (waiting for it), or a new one. The caller owns it until put.
func (p *pool) get(cfg sphinx.Config) (*sphinx.Decoder, error) {
	key := cfg.Key()
	p.mu.Lock()
	for {
		if p.closed {
			p.mu.Unlock()
			return nil, errPoolClosed
		}
		if list := p.idle[key]; len(list) > 0 {
			d := list[len(list)-1]
			p.idle[key] = list[:len(list)-1]
			p.nIdle--
			if len(p.idle[key]) == 0 {
				p.spareLocked(cfg, key)
			}
			p.mu.Unlock()
			return d, nil
		}
		loading, ok := p.loading[key]
		if !ok {
			break
		}
		p.mu.Unlock()
		<-loading
		p.mu.Lock()
	}
	p.mu.Unlock()
	d, err := p.load(cfg)
	if err != nil {
		return nil, fmt.Errorf("load decoder: %w", err)
	}
	return d, nil
}

// put gives a decoder back: it is reset and kept if there is room, freed
// otherwise.
func (p *pool) put(cfg sphinx.Config, d *sphinx.Decoder) {
	if err := d.Reset(); err != nil {
		d.Close()
		return
	}
	p.keep(cfg.Key(), d)
}

// keep files a ready decoder, or frees it when the pool is full or closed.
func (p *pool) keep(key string, d *sphinx.Decoder) {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.keepLocked(key, d)
}

func (p *pool) keepLocked(key string, d *sphinx.Decoder) {
	if p.closed || len(p.idle[key]) >= maxIdlePerConfig || p.nIdle >= maxIdle {
		d.Close()
		return
	}
	p.idle[key] = append(p.idle[key], d)
	p.nIdle++
}

// warm loads a decoder for cfg in the background, unless one is ready or
// loading.
func (p *pool) warm(cfg sphinx.Config) {
	key := cfg.Key()
	p.mu.Lock()
	defer p.mu.Unlock()
	if !p.closed && len(p.idle[key]) == 0 {
		p.spareLocked(cfg, key)
	}
}

// spareLocked starts loading one decoder for key in the background.
func (p *pool) spareLocked(cfg sphinx.Config, key string) {
	if _, ok := p.loading[key]; ok || p.nIdle >= maxIdle {
		return
	}
	done := make(chan struct{})
	p.loading[key] = done
	p.wg.Add(1)
	go func() {
		defer p.wg.Done()
		d, err := p.load(cfg)
		p.mu.Lock()
		if err == nil {
			p.keepLocked(key, d)
		}
		delete(p.loading, key)
		p.mu.Unlock()
		close(done)
	}()
}

// close frees every ready decoder and waits for background loads (whose
// decoders it frees too). Decoders in use are freed by their put.
func (p *pool) close() {
	p.mu.Lock()
	p.closed = true
	idle := p.idle
	p.idle, p.nIdle = map[string][]*sphinx.Decoder{}, 0
	p.mu.Unlock()
	for _, list := range idle {
		for _, d := range list {
			d.Close()
		}
	}
	p.wg.Wait()
}

// ready is the number of ready decoders for cfg (for tests).
func (p *pool) ready(cfg sphinx.Config) int {
	p.mu.Lock()
	defer p.mu.Unlock()
	return len(p.idle[cfg.Key()])
}
