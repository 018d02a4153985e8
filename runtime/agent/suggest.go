package agent

import (
	"fmt"
	"reflect"
	"slices"
	"strings"
)

// unknownKeyMessage explains an unknown key of struct type t: the closest
// valid key when one is close, the place where the key belongs when it is
// valid elsewhere, else the list of valid keys.
func unknownKeyMessage(key string, t reflect.Type) string {
	valid := yamlKeys(t)
	if s := closest(key, valid); s != "" {
		return fmt.Sprintf("unknown key %q (did you mean %q?)", key, s)
	}
	if where := pathsOf(key, specType, ""); len(where) > 0 {
		return fmt.Sprintf("unknown key %q here (it belongs under %s)", key, strings.Join(where, " or "))
	}
	return fmt.Sprintf("unknown key %q (valid keys: %s)", key, strings.Join(valid, ", "))
}

// closest returns the candidate nearest to key when it is near enough to be
// a likely typo or a shortened form, else "".
func closest(key string, candidates []string) string {
	best, bestDist := "", -1
	for _, c := range candidates {
		d := levenshtein(strings.ToLower(key), c)
		near := d <= max(1, min(len(key), len(c))/3)
		contained := len(key) >= 4 && (strings.Contains(c, key) || strings.Contains(key, c))
		if (near || contained) && (bestDist < 0 || d < bestDist) {
			best, bestDist = c, d
		}
	}
	return best
}

// pathsOf returns the parent key paths under which a struct field named key
// exists in t, such as "history" for "max_turns".
func pathsOf(key string, t reflect.Type, path string) []string {
	if t.Kind() == reflect.Pointer {
		t = t.Elem()
	}
	if t.Kind() != reflect.Struct || t == durationType {
		return nil
	}
	var out []string
	for f := range t.Fields() {
		name := yamlName(f)
		if name == "" {
			continue
		}
		if name == key && path != "" {
			out = append(out, path)
		}
		out = append(out, pathsOf(key, f.Type, joinKey(path, name))...)
	}
	return slices.Compact(out)
}

// levenshtein is the edit distance between a and b, in bytes; keys are ASCII.
func levenshtein(a, b string) int {
	prev := make([]int, len(b)+1)
	cur := make([]int, len(b)+1)
	for j := range prev {
		prev[j] = j
	}
	for i := 1; i <= len(a); i++ {
		cur[0] = i
		for j := 1; j <= len(b); j++ {
			cost := 1
			if a[i-1] == b[j-1] {
				cost = 0
			}
			cur[j] = min(prev[j]+1, cur[j-1]+1, prev[j-1]+cost)
		}
		prev, cur = cur, prev
	}
	return prev[len(b)]
}
