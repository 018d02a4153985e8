package logcap

import (
	"fmt"
	"sync"
	"testing"
)

func TestLogTailAndConcurrentWrites(t *testing.T) {
	var l Log
	var wg sync.WaitGroup
	for w := range 4 {
		wg.Go(func() {
			for i := range 50 {
				fmt.Fprintf(&l, "writer %d line %d\n", w, i)
			}
		})
	}
	wg.Wait()
	if got := len(l.String()); got < 4*50*len("writer 0 line 0\n") {
		t.Fatalf("lost writes: %d bytes", got)
	}
	var short Log
	fmt.Fprint(&short, "a\nb\nc\n")
	if got := short.Tail(2); got != "b\nc" {
		t.Fatalf("Tail(2) = %q", got)
	}
	if got := short.Tail(10); got != "a\nb\nc" {
		t.Fatalf("Tail(10) = %q", got)
	}
}
