package agent

import (
	"errors"
	"os"
	"path/filepath"
	"testing"
)

// FuzzParse checks that Parse never panics and always returns either a spec
// or a *LoadError with at least one problem.
func FuzzParse(f *testing.F) {
	files, _ := filepath.Glob("testdata/*/*.yaml")
	for _, file := range files {
		if data, err := os.ReadFile(file); err == nil {
			f.Add(data)
		}
	}
	for _, s := range []string{"---", "~", "null", "hello", "[]", "{}", "42", "*a", "&a x", "<<: 1", "name: &n x\nlanguage: *n"} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		spec, err := Parse("fuzz.yaml", data)
		if err == nil {
			if spec == nil {
				t.Fatal("nil spec and nil error")
			}
			if err := spec.Validate(); err != nil {
				t.Fatalf("Parse accepted a spec that Validate rejects: %v", err)
			}
			return
		}
		var le *LoadError
		if !errors.As(err, &le) || len(le.Problems) == 0 {
			t.Fatalf("err = %v (%T), want a *LoadError with problems", err, err)
		}
	})
}

func TestParseSelfMerge(t *testing.T) {
	data := "name: x\nlanguage: en\nsystem_prompt: p\nproviders:\n  stt: &a\n    <<: *a\n    plugin: a\n  chat: {plugin: b}\n  tts: {plugin: c}\n"
	if _, err := Parse("self.yaml", []byte(data)); err == nil {
		t.Fatal("a mapping that merges itself was accepted")
	}
}
