package agent

import (
	"bytes"
	"encoding/json"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/santhosh-tekuri/jsonschema/v6"
	"go.yaml.in/yaml/v3"
)

const schemaFile = "../../schema/agent.schema.json"

func TestSchemaUpToDate(t *testing.T) {
	want, err := Schema()
	if err != nil {
		t.Fatal(err)
	}
	got, err := os.ReadFile(schemaFile)
	if err != nil {
		t.Fatalf("%v: run go generate ./runtime/agent", err)
	}
	if !bytes.Equal(got, want) {
		t.Fatalf("schema/agent.schema.json differs from agent.Schema(): run go generate ./runtime/agent and commit the result")
	}
}

// compileSchema compiles the committed schema with an independent validator.
func compileSchema(t *testing.T) *jsonschema.Schema {
	t.Helper()
	f, err := os.Open(schemaFile)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	doc, err := jsonschema.UnmarshalJSON(f)
	if err != nil {
		t.Fatal(err)
	}
	c := jsonschema.NewCompiler()
	if err := c.AddResource("agent.schema.json", doc); err != nil {
		t.Fatal(err)
	}
	s, err := c.Compile("agent.schema.json")
	if err != nil {
		t.Fatalf("compile schema: %v", err)
	}
	return s
}

// yamlToJSON converts YAML to the JSON value a schema validator sees, as an
// editor does. ok is false when the YAML does not parse.
func yamlToJSON(t *testing.T, data []byte) (v any, ok bool) {
	t.Helper()
	var raw any
	if err := yaml.Unmarshal(data, &raw); err != nil {
		return nil, false
	}
	b, err := json.Marshal(raw)
	if err != nil {
		t.Fatalf("to JSON: %v", err)
	}
	v, err = jsonschema.UnmarshalJSON(bytes.NewReader(b))
	if err != nil {
		t.Fatal(err)
	}
	return v, true
}

// TestSchemaAcceptsValidFiles checks that the schema accepts every file the
// loader accepts: the shipped agents and testdata/valid.
func TestSchemaAcceptsValidFiles(t *testing.T) {
	s := compileSchema(t)
	shipped, _ := filepath.Glob("../../agents/*.yaml")
	valid, _ := filepath.Glob("testdata/valid/*.yaml")
	if len(shipped) == 0 || len(valid) == 0 {
		t.Fatalf("no files: agents %v, valid %v", shipped, valid)
	}
	for _, file := range append(shipped, valid...) {
		t.Run(file, func(t *testing.T) {
			if _, err := LoadFile(file); err != nil {
				t.Fatalf("loader rejects it: %v", err)
			}
			data, _ := os.ReadFile(file)
			v, ok := yamlToJSON(t, data)
			if !ok {
				t.Fatal("not YAML")
			}
			if err := s.Validate(v); err != nil {
				t.Errorf("schema rejects a file the loader accepts: %v", err)
			}
		})
	}
}

// schemaCannotTell lists invalid test files whose only problems a schema
// cannot express, with the reason.
var schemaCannotTell = map[string]string{
	"two-documents.yaml":     "a schema checks the first document; the loader refuses a second",
	"variables-unknown.yaml": "a schema cannot tell which {{names}} a text uses",
	"tools-body.yaml":        "a schema cannot tell a body on a GET (its send default) nor which {{names}} a body uses",
}

// TestSchemaRejectsInvalidFiles checks that the schema rejects the invalid
// test files too, so editors flag what the loader will refuse.
func TestSchemaRejectsInvalidFiles(t *testing.T) {
	s := compileSchema(t)
	files, _ := filepath.Glob("testdata/invalid/*.yaml")
	for _, file := range files {
		t.Run(filepath.Base(file), func(t *testing.T) {
			if why, ok := schemaCannotTell[filepath.Base(file)]; ok {
				t.Skip(why)
			}
			data, _ := os.ReadFile(file)
			v, ok := yamlToJSON(t, data)
			if !ok {
				t.Skip("not YAML: nothing for a schema to check")
			}
			if err := s.Validate(v); err == nil {
				t.Errorf("schema accepts a file the loader rejects")
			}
		})
	}
}

func TestSchemaRejectsUnknownKeys(t *testing.T) {
	s := compileSchema(t)
	for _, extra := range []string{"promt: hi\n", "history: {max_turn: 3}\n", "turn_taking: {silence: 1s}\n"} {
		v, _ := yamlToJSON(t, []byte(minimal("x")+extra))
		err := s.Validate(v)
		if err == nil || !strings.Contains(err.Error(), "additional properties") {
			t.Errorf("%q: err = %v, want an additional properties error", extra, err)
		}
	}
}

// TestSchemaDurationPattern checks that the schema's duration pattern and
// ParseDuration agree.
func TestSchemaDurationPattern(t *testing.T) {
	re := regexp.MustCompile(durationPattern)
	for _, s := range []string{
		"700ms", "2s", "1.5s", ".5s", "1.s", "0s", "1h2m3s", "3ms2us", "1µs", "1μs", "250ns", "0.5h",
		"", "0", "700", "1.5", "-1s", "+1s", "1 s", "2S", "1e3ms", "s", ".s", "1.5.5s", "1sec", "P1S",
	} {
		_, err := ParseDuration(s)
		if parsed, matched := err == nil, re.MatchString(s); parsed != matched {
			t.Errorf("%q: ParseDuration ok = %v, schema pattern matches = %v", s, parsed, matched)
		}
	}
}

// TestDocsNameEveryKey: every key of an agent file (every property of the
// schema, at any depth) is named in the agent docs, so a new key cannot
// ship undocumented.
func TestDocsNameEveryKey(t *testing.T) {
	raw, err := os.ReadFile(schemaFile)
	if err != nil {
		t.Fatal(err)
	}
	var s map[string]any
	if err := json.Unmarshal(raw, &s); err != nil {
		t.Fatal(err)
	}
	var docs strings.Builder
	for _, f := range []string{"../../docs/agents.md", "../../docs/tools.md", "../../docs/webhooks.md"} {
		b, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		docs.Write(b)
	}
	defs, _ := s["$defs"].(map[string]any)
	seen := map[string]bool{}
	keys := map[string]bool{}
	var walk func(any)
	walk = func(n any) {
		m, ok := n.(map[string]any)
		if !ok {
			return
		}
		if ref, ok := m["$ref"].(string); ok {
			name := ref[strings.LastIndexByte(ref, '/')+1:]
			if !seen[name] {
				seen[name] = true
				walk(defs[name])
			}
		}
		props, _ := m["properties"].(map[string]any)
		for k, v := range props {
			keys[k] = true
			walk(v)
		}
		walk(m["items"])
		walk(m["additionalProperties"])
	}
	walk(s)
	if len(keys) < 20 {
		t.Fatalf("found only %d keys in the schema", len(keys))
	}
	for k := range keys {
		if !regexp.MustCompile(`\b` + regexp.QuoteMeta(k) + `\b`).MatchString(docs.String()) {
			t.Errorf("key %s is in the schema but in none of docs/agents.md, docs/tools.md, docs/webhooks.md", k)
		}
	}
}
