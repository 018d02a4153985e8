package provider_test

import (
	"os"
	"strings"
	"testing"
)

// TestWritingAPluginDocMatchesBeeper checks that the example in
// docs/plugins.md ("Writing your own") is examples/beeper/main.go as it
// builds, from its package clause on, so the page never shows code that
// no longer compiles.
func TestWritingAPluginDocMatchesBeeper(t *testing.T) {
	doc, err := os.ReadFile("../../docs/plugins.md")
	if err != nil {
		t.Fatal(err)
	}
	src, err := os.ReadFile("../../examples/beeper/main.go")
	if err != nil {
		t.Fatal(err)
	}
	page := string(doc)
	section := strings.Index(page, "## Writing your own")
	if section < 0 {
		t.Fatal(`docs/plugins.md has no "## Writing your own" section`)
	}
	start := strings.Index(page[section:], "```go\n")
	if start < 0 {
		t.Fatal(`docs/plugins.md: no Go code block under "## Writing your own"`)
	}
	block := page[section+start+len("```go\n"):]
	end := strings.Index(block, "```\n")
	if end < 0 {
		t.Fatal("docs/plugins.md: the Go code block does not end")
	}
	block = block[:end]
	code := string(src)
	pkg := strings.Index(code, "package main")
	if pkg < 0 {
		t.Fatal("examples/beeper/main.go has no package clause")
	}
	if want := code[pkg:]; block != want {
		t.Errorf("the example in docs/plugins.md differs from examples/beeper/main.go; copy it from the package clause on.\ndoc:\n%s\nfile:\n%s", block, want)
	}
}
