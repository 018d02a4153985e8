package agent

import (
	"cmp"
	"fmt"
	"slices"
	"strconv"
	"strings"
)

// Problem is one thing wrong with an agent file, placed at a key and line.
type Problem struct {
	// File is the path of the agent file, as given to the loader.
	File string `json:"file"`
	// Key is the dotted key path, such as "history.max_turns"; empty for
	// problems of the file as a whole.
	Key string `json:"key,omitempty"`
	// Line is the 1-based line of the key (or of its parent when the key is
	// missing); 0 when no line applies.
	Line int `json:"line,omitempty"`
	// Message says what is wrong in words a person can act on.
	Message string `json:"message"`
}

// String formats p as "file:line: key: message", leaving out empty parts.
func (p Problem) String() string {
	var b strings.Builder
	b.WriteString(p.File)
	if p.Line > 0 {
		b.WriteString(":")
		b.WriteString(strconv.Itoa(p.Line))
	}
	b.WriteString(": ")
	if p.Key != "" {
		b.WriteString(p.Key)
		b.WriteString(": ")
	}
	b.WriteString(p.Message)
	return b.String()
}

// LoadError is returned when an agent file has problems. It holds all of
// them, not only the first. errors.Is(err, ErrInvalid) is true for it.
type LoadError struct {
	// File is the path of the agent file, as given to the loader.
	File string
	// Problems are sorted by line.
	Problems []Problem
}

// Error lists every problem, one per line.
func (e *LoadError) Error() string {
	lines := make([]string, len(e.Problems))
	for i, p := range e.Problems {
		lines[i] = p.String()
	}
	if len(lines) == 0 {
		return fmt.Sprintf("%s: invalid agent file", e.File)
	}
	return strings.Join(lines, "\n")
}

// Is makes errors.Is(err, ErrInvalid) true for a *LoadError.
func (e *LoadError) Is(target error) bool { return target == ErrInvalid }

// sortProblems orders problems by line, keeping the order in which they were
// found (the order of the keys in Spec) for ties.
func sortProblems(ps []Problem) {
	slices.SortStableFunc(ps, func(a, b Problem) int { return cmp.Compare(a.Line, b.Line) })
}
