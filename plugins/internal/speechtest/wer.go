package speechtest

import (
	"strings"
	"unicode"
)

// Words splits text into lower-case words without punctuation
// ("Don't stop!" gives [dont stop]).
func Words(text string) []string {
	clean := strings.Map(func(r rune) rune {
		switch {
		case unicode.IsLetter(r) || unicode.IsDigit(r):
			return unicode.ToLower(r)
		case r == '\'' || r == '’':
			return -1
		default:
			return ' '
		}
	}, text)
	return strings.Fields(clean)
}

// WordErrors is the word-level Levenshtein distance between the reference
// and the hypothesis (substitutions + deletions + insertions), and the
// number of reference words: their ratio is the word error rate.
func WordErrors(ref, hyp string) (errs, words int) {
	r, h := Words(ref), Words(hyp)
	prev := make([]int, len(h)+1)
	cur := make([]int, len(h)+1)
	for j := range prev {
		prev[j] = j
	}
	for i := 1; i <= len(r); i++ {
		cur[0] = i
		for j := 1; j <= len(h); j++ {
			sub := prev[j-1]
			if r[i-1] != h[j-1] {
				sub++
			}
			cur[j] = min(sub, prev[j]+1, cur[j-1]+1)
		}
		prev, cur = cur, prev
	}
	return prev[len(h)], len(r)
}
