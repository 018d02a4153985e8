package main

import (
	"sync"
	"testing"
	"time"

	"github.com/parleyhq/parley/plugins/internal/sphinx"
)

func defaultConfig() sphinx.Config { return sphinx.DefaultConfig() }

func grammarConfig(words string) sphinx.Config {
	c := sphinx.DefaultConfig()
	c.Grammar = "#JSGF V1.0;\ngrammar g;\npublic <a> = " + words + ";\n"
	return c
}

// waitReady polls until n decoders for cfg are ready.
func waitReady(t *testing.T, p *pool, cfg sphinx.Config, n int) {
	t.Helper()
	deadline := time.Now().Add(20 * time.Second)
	for p.ready(cfg) != n {
		if time.Now().After(deadline) {
			t.Fatalf("%d decoders ready, want %d", p.ready(cfg), n)
		}
		time.Sleep(10 * time.Millisecond)
	}
}

func TestPoolKeepsASpare(t *testing.T) {
	loads := 0
	p := newPool(func(c sphinx.Config) (*sphinx.Decoder, error) { loads++; return sphinx.New(c) })
	defer p.close()
	cfg := grammarConfig("yes | no")

	p.warm(cfg)
	waitReady(t, p, cfg, 1)
	d, err := p.get(cfg) // the warm one; a spare starts loading
	if err != nil {
		t.Fatal(err)
	}
	waitReady(t, p, cfg, 1)
	start := time.Now()
	d2, err := p.get(cfg) // the spare, at once
	if err != nil {
		t.Fatal(err)
	}
	if took := time.Since(start); took > 50*time.Millisecond {
		t.Fatalf("getting a ready decoder took %v", took)
	}
	waitReady(t, p, cfg, 1)
	p.put(cfg, d)
	p.put(cfg, d2) // a third is over maxIdlePerConfig: freed
	if n := p.ready(cfg); n != maxIdlePerConfig {
		t.Fatalf("%d ready after two puts, want %d", n, maxIdlePerConfig)
	}
	if loads != 3 {
		t.Fatalf("%d loads, want 3", loads)
	}
	other := grammarConfig("left | right")
	if p.ready(other) != 0 {
		t.Fatal("another configuration shares decoders")
	}
}

func TestPoolClosed(t *testing.T) {
	p := newPool(sphinx.New)
	cfg := grammarConfig("yes | no")
	d, err := p.get(cfg)
	if err != nil {
		t.Fatal(err)
	}
	p.warm(cfg)
	p.close()
	if p.ready(cfg) != 0 {
		t.Fatal("decoders kept after close")
	}
	p.put(cfg, d) // freed, not kept
	if p.ready(cfg) != 0 {
		t.Fatal("decoder kept after close")
	}
	if _, err := p.get(cfg); err == nil {
		t.Fatal("get after close succeeded")
	}
}

// TestPoolWaitsForTheLoadInFlight checks that a stream opened while the
// startup decoder loads takes that one rather than loading a second.
func TestPoolWaitsForTheLoadInFlight(t *testing.T) {
	var mu sync.Mutex
	var loaded []*sphinx.Decoder
	p := newPool(func(c sphinx.Config) (*sphinx.Decoder, error) {
		d, err := sphinx.New(c)
		mu.Lock()
		loaded = append(loaded, d)
		mu.Unlock()
		return d, err
	})
	defer p.close()
	cfg := grammarConfig("yes | no")
	p.warm(cfg)
	d, err := p.get(cfg)
	if err != nil {
		t.Fatal(err)
	}
	mu.Lock()
	first := loaded[0]
	mu.Unlock()
	if d != first {
		t.Fatal("get loaded a decoder of its own while one was loading")
	}
	p.put(cfg, d)
}
