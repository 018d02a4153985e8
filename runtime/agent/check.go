package agent

import (
	"fmt"
	"reflect"
	"strconv"
	"strings"

	"go.yaml.in/yaml/v3"
)

var (
	durationType = reflect.TypeFor[Duration]()
	languageType = reflect.TypeFor[Language]()
	specType     = reflect.TypeFor[Spec]()
)

// checker walks a YAML node tree beside the Go type it will be decoded into
// and reports every key or value of the wrong shape, with its key path. It is
// stricter than yaml.v3 (which turns 123 into "123" for a string field), so
// that a file the loader accepts is also accepted by the JSON Schema.
type checker struct {
	file     string
	problems []Problem
	// lines maps each key path found in the file to the line of its key;
	// "" is the top-level mapping.
	lines map[string]int
	// bad holds key paths that already have a shape problem, so that later
	// checks do not report the same key again.
	bad []string
	// spans are the line ranges of the values with a shape problem; the
	// decoder's messages inside them repeat what was already said.
	spans [][2]int
	// merged records the (mapping, key path) pairs merged so far: merging
	// one twice adds nothing, and a mapping may merge itself through an alias.
	merged map[mergeKey]bool
}

type mergeKey struct {
	node *yaml.Node
	path string
}

func newChecker(file string) *checker {
	return &checker{file: file, lines: map[string]int{}, merged: map[mergeKey]bool{}}
}

// add records a problem about the key at path (on line) whose value is n.
func (c *checker) add(path string, line int, n *yaml.Node, format string, args ...any) {
	c.problems = append(c.problems, Problem{File: c.file, Key: path, Line: line, Message: fmt.Sprintf(format, args...)})
	c.bad = append(c.bad, path)
	c.spans = append(c.spans, [2]int{min(line, n.Line), lastLine(n)})
}

// value checks that n can be decoded into t. path is n's key path and line
// the line of its key.
func (c *checker) value(path string, line int, n *yaml.Node, t reflect.Type) {
	n = deref(n)
	if n == nil {
		return
	}
	if isNull(n) {
		c.add(path, line, n, "has no value: give it a value or remove the key")
		return
	}
	switch t {
	case durationType:
		if msg := durationNodeProblem(n); msg != "" {
			c.add(path, line, n, "%s", msg)
		} else if _, err := ParseDuration(n.Value); err != nil {
			c.add(path, line, n, "%s", err.Error())
		}
		return
	case languageType:
		if n.Kind != yaml.ScalarNode || n.ShortTag() != "!!str" {
			c.add(path, line, n, "must be %s, not %s", languageChoices, describe(n))
		} else if _, err := ParseLanguage(n.Value); err != nil {
			c.add(path, line, n, "%s", err.Error())
		}
		return
	}
	switch t.Kind() {
	case reflect.Pointer:
		c.value(path, line, n, t.Elem())
	case reflect.Struct:
		if n.Kind != yaml.MappingNode {
			c.add(path, line, n, "must be a mapping with keys such as %s, not %s", strings.Join(firstKeys(t, 3), ", "), describe(n))
			return
		}
		c.fields(path, n, t)
	case reflect.Map:
		if n.Kind != yaml.MappingNode {
			c.add(path, line, n, "must be a mapping of names to values, not %s", describe(n))
			return
		}
		c.lines[path] = keyLineOr(c.lines, path, n.Line)
		for i := 0; i+1 < len(n.Content); i += 2 {
			k := deref(n.Content[i])
			if k == nil {
				continue
			}
			key := joinKey(path, k.Value)
			if k.ShortTag() != "!!str" {
				c.add(key, k.Line, k, "key must be a string; put quotes around %s", k.Value)
				continue
			}
			if _, ok := c.lines[key]; !ok {
				c.lines[key] = k.Line
			}
			// Maps of settings (variables:) are checked entry by entry;
			// free-form maps (options:) are the plugin's to check.
			if t.Elem().Kind() == reflect.Struct {
				c.value(key, k.Line, n.Content[i+1], t.Elem())
			}
		}
	case reflect.Slice:
		if n.Kind != yaml.SequenceNode {
			c.add(path, line, n, "must be a list (one \"- \" item per line), not %s", describe(n))
			return
		}
		for i, item := range n.Content {
			key := fmt.Sprintf("%s[%d]", path, i)
			c.lines[key] = deref(item).Line
			c.value(key, deref(item).Line, item, t.Elem())
		}
	case reflect.String:
		if n.Kind != yaml.ScalarNode || n.ShortTag() != "!!str" {
			c.add(path, line, n, "must be a string, not %s%s", describe(n), quoteHint(n))
		}
	case reflect.Int, reflect.Int64, reflect.Int32:
		if n.Kind != yaml.ScalarNode || n.ShortTag() != "!!int" {
			c.add(path, line, n, "must be a whole number, not %s", describe(n))
		}
	case reflect.Bool:
		if n.Kind != yaml.ScalarNode || n.ShortTag() != "!!bool" {
			c.add(path, line, n, "must be true or false, not %s", describe(n))
		}
	}
}

// fields checks the keys of mapping n against the fields of struct type t.
func (c *checker) fields(path string, n *yaml.Node, t reflect.Type) {
	c.lines[path] = keyLineOr(c.lines, path, n.Line)
	known := yamlFields(t)
	seen := map[string]int{}
	for i := 0; i+1 < len(n.Content); i += 2 {
		k, v := n.Content[i], n.Content[i+1]
		if k.ShortTag() == "!!merge" {
			c.merge(path, v, t)
			continue
		}
		key := joinKey(path, k.Value)
		if first, dup := seen[k.Value]; dup {
			c.add(key, k.Line, v, "is set twice (first on line %d); keep one", first)
			// yaml.v3 decodes nothing of a mapping with a duplicate key, so
			// "is required" problems under it would be false.
			c.bad = append(c.bad, path)
			continue
		}
		seen[k.Value] = k.Line
		c.lines[key] = k.Line
		ft, ok := known[k.Value]
		if !ok {
			c.add(key, k.Line, v, "%s", unknownKeyMessage(k.Value, t))
			continue
		}
		c.value(key, k.Line, v, ft)
	}
}

// merge checks the value of a YAML merge key ("<<: *base"): a mapping or a
// list of mappings whose keys count as keys of the enclosing mapping.
func (c *checker) merge(path string, v *yaml.Node, t reflect.Type) {
	v = deref(v)
	if v == nil || c.merged[mergeKey{v, path}] {
		return
	}
	c.merged[mergeKey{v, path}] = true
	switch v.Kind {
	case yaml.MappingNode:
		c.fields(path, v, t)
	case yaml.SequenceNode:
		for _, item := range v.Content {
			c.merge(path, item, t)
		}
	default:
		c.add(path, v.Line, v, "a merge key (<<) must refer to a mapping")
	}
}

// isBad reports whether a problem about key would repeat one already found:
// the key, one of its parents or one of its children has a shape problem.
func (c *checker) isBad(key string) bool {
	for _, b := range c.bad {
		if b == key || b == "" || strings.HasPrefix(key, b+".") || strings.HasPrefix(b, key+".") ||
			strings.HasPrefix(key, b+"[") || strings.HasPrefix(b, key+"[") || laterItem(b, key) {
			return true
		}
	}
	return false
}

// laterItem reports whether key lies in an item after bad of the same list
// ("tools[3]" and "tools[5].name"): a list item of the wrong shape is left
// out of the decoded list, so the items after it shift, and their problems
// would name the wrong index and line. They wait until it is fixed.
func laterItem(bad, key string) bool {
	i := strings.LastIndexByte(bad, '[')
	if i < 0 || !strings.HasSuffix(bad, "]") || !strings.HasPrefix(key, bad[:i+1]) {
		return false
	}
	bi, err := strconv.Atoi(bad[i+1 : len(bad)-1])
	rest := key[i+1:]
	j := strings.IndexByte(rest, ']')
	if err != nil || j < 0 {
		return false
	}
	ki, err := strconv.Atoi(rest[:j])
	return err == nil && ki > bi
}

// covered reports whether line lies in a value that already has a problem.
func (c *checker) covered(line int) bool {
	for _, s := range c.spans {
		if line >= s[0] && line <= s[1] {
			return true
		}
	}
	return false
}

// lastLine is the last line on which n or one of its children starts.
func lastLine(n *yaml.Node) int {
	last := n.Line
	for _, c := range n.Content {
		last = max(last, lastLine(c))
	}
	return last
}

// keyAtLine returns the deepest key path whose key is on line, or "".
func (c *checker) keyAtLine(line int) string {
	best := ""
	for k, l := range c.lines {
		if l == line && len(k) > len(best) {
			best = k
		}
	}
	return best
}

func keyLineOr(lines map[string]int, path string, fallback int) int {
	if l, ok := lines[path]; ok {
		return l
	}
	return fallback
}

// yamlFields maps the YAML keys of struct type t to their field types.
func yamlFields(t reflect.Type) map[string]reflect.Type {
	out := map[string]reflect.Type{}
	for f := range t.Fields() {
		if name := yamlName(f); name != "" {
			out[name] = f.Type
		}
	}
	return out
}

// yamlKeys returns the YAML keys of struct type t in declaration order.
func yamlKeys(t reflect.Type) []string {
	var out []string
	for f := range t.Fields() {
		if name := yamlName(f); name != "" {
			out = append(out, name)
		}
	}
	return out
}

func firstKeys(t reflect.Type, n int) []string {
	keys := yamlKeys(t)
	return keys[:min(n, len(keys))]
}

func yamlName(f reflect.StructField) string {
	if !f.IsExported() {
		return ""
	}
	name, _, _ := strings.Cut(f.Tag.Get("yaml"), ",")
	if name == "-" || name == "" {
		return ""
	}
	return name
}

func joinKey(path, key string) string {
	if path == "" {
		return key
	}
	return path + "." + key
}

func deref(n *yaml.Node) *yaml.Node {
	for n != nil && n.Kind == yaml.AliasNode {
		n = n.Alias
	}
	return n
}

func isNull(n *yaml.Node) bool {
	return n.Kind == yaml.ScalarNode && n.ShortTag() == "!!null"
}

// describe names what a node holds, for "must be X, not Y" messages.
func describe(n *yaml.Node) string {
	switch n.Kind {
	case yaml.MappingNode:
		return "a mapping"
	case yaml.SequenceNode:
		return "a list"
	}
	switch n.ShortTag() {
	case "!!int", "!!float":
		return "the number " + n.Value
	case "!!bool":
		return n.Value
	case "!!null":
		return "an empty value"
	case "!!str":
		return fmt.Sprintf("%q", n.Value)
	default:
		return fmt.Sprintf("%s (%s)", n.Value, strings.TrimPrefix(n.ShortTag(), "!!"))
	}
}

// quoteHint suggests quoting a scalar that YAML read as another type.
func quoteHint(n *yaml.Node) string {
	if n.Kind == yaml.ScalarNode {
		return fmt.Sprintf(` (write "%s" with quotes to use it as text)`, n.Value)
	}
	return ""
}
