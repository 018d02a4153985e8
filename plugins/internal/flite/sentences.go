package flite

import (
	"strings"
	"unicode"
)

// Sentences splits text after each . ! ? or ; that ends a word, and at
// line breaks, so that the first sentence can be heard while the next is
// synthesised (flite analyses a whole utterance before it voices any of
// it). Empty pieces are dropped.
func Sentences(text string) []string {
	var out []string
	start := 0
	runes := []rune(text)
	for i, r := range runes {
		end := r == '\n'
		if strings.ContainsRune(".!?;", r) && (i+1 == len(runes) || unicode.IsSpace(runes[i+1])) {
			end = true
		}
		if end {
			if s := strings.TrimSpace(string(runes[start : i+1])); s != "" {
				out = append(out, s)
			}
			start = i + 1
		}
	}
	if s := strings.TrimSpace(string(runes[start:])); s != "" {
		out = append(out, s)
	}
	return out
}
