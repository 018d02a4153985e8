package datadir

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
)

func TestValue(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "data")
	made := 0
	var mu sync.Mutex
	mk := func() string {
		mu.Lock()
		defer mu.Unlock()
		made++
		return fmt.Sprint("v", made)
	}
	ok := func(string) error { return nil }
	// Racing processes agree on one value.
	var wg sync.WaitGroup
	got := make([]string, 8)
	for i := range got {
		wg.Go(func() {
			v, err := Value(dir, "x.id", mk, ok)
			if err != nil {
				t.Error(err)
			}
			got[i] = v
		})
	}
	wg.Wait()
	for _, v := range got {
		if v != got[0] {
			t.Fatalf("values differ: %q", got)
		}
	}
	fi, err := os.Stat(filepath.Join(dir, "x.id"))
	if err != nil || fi.Mode().Perm() != 0o600 {
		t.Fatalf("file: %v %v", fi, err)
	}
	// Kept across restarts, trimmed.
	if err := os.WriteFile(filepath.Join(dir, "x.id"), []byte("  kept \n"), 0o600); err != nil {
		t.Fatal(err)
	}
	if v, err := Value(dir, "x.id", mk, ok); err != nil || v != "kept" {
		t.Fatalf("got %q, %v", v, err)
	}
	// A bad stored value is an error naming the file.
	_, err = Value(dir, "x.id", mk, func(string) error { return errors.New("too short") })
	if err == nil || !strings.Contains(err.Error(), "x.id") || !strings.Contains(err.Error(), "too short") {
		t.Fatalf("a refused value: %v", err)
	}
}
