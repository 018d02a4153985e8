package agent

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"time"

	"go.yaml.in/yaml/v3"
)

// emptyMessage is the problem reported for a file without content.
const emptyMessage = "file is empty: an agent needs at least name, language, system_prompt and providers"

// LoadFile reads and parses one agent file. Problems are reported as a
// *LoadError naming path as given.
func LoadFile(path string) (*Spec, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("load agent: %w", err)
	}
	return Parse(path, data)
}

// Parse decodes and validates the agent file content data; file names it in
// problems. It returns the spec with defaults applied, or a *LoadError that
// lists every problem found.
func Parse(file string, data []byte) (*Spec, error) {
	spec, problems := parse(file, data)
	if len(problems) > 0 {
		return nil, &LoadError{File: file, Problems: problems}
	}
	return spec, nil
}

// parse decodes data as far as it can. The returned spec is never nil but is
// only meaningful when there are no problems (its Name is used to list
// invalid files).
//
// It works in three passes: the yaml.Node tree (syntax errors, wrong shapes
// and unknown keys, with their key paths and lines), a strict decode into
// the Spec with KnownFields (the values, and a safety net for anything the
// tree check missed), then validate (required keys and ranges).
func parse(file string, data []byte) (*Spec, []Problem) {
	spec := Defaults()
	spec.File = file
	if abs, err := filepath.Abs(file); err == nil {
		spec.File = abs
	}
	sum := sha256.Sum256(data)
	spec.Version = hex.EncodeToString(sum[:6])
	spec.LoadedAt = time.Now()

	fileProblem := func(line int, msg string) []Problem {
		return []Problem{{File: file, Line: line, Message: msg}}
	}
	if len(bytes.TrimSpace(data)) == 0 {
		return &spec, fileProblem(0, emptyMessage)
	}

	dec := yaml.NewDecoder(bytes.NewReader(data))
	var doc yaml.Node
	if err := dec.Decode(&doc); err != nil {
		if errors.Is(err, io.EOF) {
			return &spec, fileProblem(0, "file has only comments: an agent needs at least name, language, system_prompt and providers")
		}
		return &spec, []Problem{syntaxProblem(file, data, err)}
	}
	var next yaml.Node
	if err := dec.Decode(&next); err == nil {
		return &spec, fileProblem(next.Line, "file holds more than one YAML document (---): write one agent per file")
	} else if !errors.Is(err, io.EOF) {
		return &spec, []Problem{syntaxProblem(file, data, err)}
	}

	root := deref(doc.Content[0])
	if root.Kind != yaml.MappingNode {
		return &spec, fileProblem(root.Line, fmt.Sprintf("the top level must be a mapping of keys such as name: and language:, not %s", describe(root)))
	}

	c := newChecker(file)
	c.value("", root.Line, root, specType)

	strict := yaml.NewDecoder(bytes.NewReader(data))
	strict.KnownFields(true)
	if err := strict.Decode(&spec); err != nil {
		var te *yaml.TypeError
		if !errors.As(err, &te) {
			return &spec, append(c.problems, Problem{File: file, Message: strings.TrimPrefix(err.Error(), "yaml: ")})
		}
		c.problems = append(c.problems, c.fromTypeError(te)...)
	}
	spec.nameLine = c.lines["name"]
	spec.lines = c.lines
	spec.webhookDefaults(c.lines)

	problems := c.problems
	for _, p := range spec.validate(file, c.lines) {
		if !c.isBad(p.Key) {
			problems = append(problems, p)
		}
	}
	sortProblems(problems)
	return &spec, problems
}

var lineRE = regexp.MustCompile(`^(?:yaml: )?line (\d+): (.*)$`)

// fromTypeError turns the decoder's messages into problems, skipping lines
// the tree check already reported (it words them better).
func (c *checker) fromTypeError(te *yaml.TypeError) []Problem {
	var out []Problem
	for _, msg := range te.Errors {
		line := 0
		if m := lineRE.FindStringSubmatch(msg); m != nil {
			line, _ = strconv.Atoi(m[1])
			msg = m[2]
		}
		if line > 0 && c.covered(line) {
			continue
		}
		out = append(out, Problem{File: c.file, Key: c.keyAtLine(line), Line: line, Message: msg})
	}
	return out
}

// syntaxProblem turns a yaml.v3 parse error into a problem with its line
// and, for the common mistakes, a hint.
func syntaxProblem(file string, data []byte, err error) Problem {
	msg := strings.TrimPrefix(err.Error(), "yaml: ")
	line := 0
	if m := lineRE.FindStringSubmatch(err.Error()); m != nil {
		line, _ = strconv.Atoi(m[1])
		msg = m[2]
		line = syntaxLine(data, msg, line)
	}
	for _, h := range syntaxHints {
		if strings.Contains(msg, h.cause) {
			msg += " (" + h.hint + ")"
			break
		}
	}
	return Problem{File: file, Line: line, Message: "YAML syntax error: " + msg}
}

// syntaxHints explain the parser messages people meet most.
var syntaxHints = []struct{ cause, hint string }{
	{"did not find expected key", "check the indentation of this line and the ones above"},
	{"mapping values are not allowed in this context", "put quotes around a value that contains \": \""},
	{"found character that cannot start any token", "YAML indents with spaces, not tabs; quote values starting with @ or `"},
	{"found unexpected end of stream", "a quote or bracket is not closed"},
}

// syntaxLine finds the line of a syntax error. yaml.v3 reports the line where
// the enclosing block starts, sometimes counted from 0, so reported is only a
// lower bound: the error is on the first line whose prefix of the file fails
// with the same message. Agent files are small, so parsing prefixes is cheap.
func syntaxLine(data []byte, msg string, reported int) int {
	lines := bytes.SplitAfter(data, []byte("\n"))
	if len(lines) > 500 {
		return reported
	}
	for k := max(1, reported); k <= len(lines); k++ {
		err := parseAll(bytes.Join(lines[:k], nil))
		if err != nil && strings.HasSuffix(err.Error(), ": "+msg) {
			return k
		}
	}
	return reported
}

// parseAll parses every YAML document of data and returns the first error.
func parseAll(data []byte) error {
	dec := yaml.NewDecoder(bytes.NewReader(data))
	for {
		var n yaml.Node
		if err := dec.Decode(&n); err != nil {
			if errors.Is(err, io.EOF) {
				return nil
			}
			return err
		}
	}
}
