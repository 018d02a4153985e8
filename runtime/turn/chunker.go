package turn

import (
	"strings"
	"unicode"
	"unicode/utf8"
)

// chunker cuts a streamed reply into sentences for speech, so that the
// first sentence is spoken while the rest is still being written. A
// sentence ends at . ! ? … or their full-width forms (。！？) followed by a
// space or the end of the reply, and at a line break. Korean needs nothing
// more: its sentences end with the same marks ("감사합니다. 무엇을…").
// Periods inside numbers and common abbreviations do not end a sentence.
type chunker struct {
	buf strings.Builder
	// minRunes keeps very short fragments ("Hi.") together with what
	// follows, except for the first sentence, which goes out at once.
	minRunes int
	emitted  int
}

// abbreviations that end with a period without ending a sentence.
var abbreviations = map[string]bool{
	"mr.": true, "mrs.": true, "ms.": true, "dr.": true, "st.": true, "vs.": true,
	"e.g.": true, "i.e.": true, "etc.": true, "no.": true, "approx.": true,
}

// Push adds a piece of the reply and returns the sentences it completed.
func (c *chunker) Push(text string) []string {
	c.buf.WriteString(text)
	var out []string
	for {
		s := c.buf.String()
		end := c.sentenceEnd(s)
		if end < 0 {
			return out
		}
		// Too short to speak alone (except the first sentence, which goes
		// out at once): join the sentences that follow.
		for c.emitted > 0 && utf8.RuneCountInString(strings.TrimSpace(s[:end])) < c.minRunes {
			next := c.sentenceEnd(s[end:])
			if next < 0 {
				return out
			}
			end += next
		}
		sentence := strings.TrimSpace(s[:end])
		rest := s[end:]
		c.buf.Reset()
		c.buf.WriteString(rest)
		if sentence != "" {
			out = append(out, sentence)
			c.emitted++
		}
	}
}

// Flush returns what is left at the end of the reply.
func (c *chunker) Flush() string {
	s := strings.TrimSpace(c.buf.String())
	c.buf.Reset()
	if s != "" {
		c.emitted++
	}
	return s
}

// sentenceEnd returns the index just after the first sentence end in s
// whose following character is known (so "3." waits for "3.5"), or -1.
func (c *chunker) sentenceEnd(s string) int {
	for i, r := range s {
		switch r {
		case '\n':
			if strings.TrimSpace(s[:i]) != "" {
				return i + 1
			}
		case '.', '!', '?', '…', '。', '！', '？':
			j := i + utf8.RuneLen(r)
			// Runs of marks ("?!", "...") end together.
			for j < len(s) {
				n, size := utf8.DecodeRuneInString(s[j:])
				if !strings.ContainsRune(".!?…。！？\"'”’)", n) {
					break
				}
				j += size
			}
			if j >= len(s) {
				return -1 // the next piece decides
			}
			next, _ := utf8.DecodeRuneInString(s[j:])
			if r == '.' && (unicode.IsDigit(next) || isAbbreviation(s[:i+1])) {
				continue
			}
			if unicode.IsSpace(next) || r == '。' || r == '！' || r == '？' {
				return j
			}
		}
	}
	return -1
}

// isAbbreviation reports whether s ends with a known abbreviation.
func isAbbreviation(s string) bool {
	i := strings.LastIndexFunc(s[:len(s)-1], func(r rune) bool { return unicode.IsSpace(r) })
	return abbreviations[strings.ToLower(s[i+1:])]
}
