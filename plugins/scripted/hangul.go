package main

// The Hangul syllable block and the conjoining jamo that spell it (Unicode
// 3.12: syllable = 0xAC00 + (lead*21 + vowel)*28 + tail).
const (
	syllableFirst = 0xAC00
	syllableLast  = 0xD7A3
	leadFirst     = 0x1100
	vowelFirst    = 0x1161
	tailBase      = 0x11A7 // tail 0 is "no tail"
	vowelCount    = 21
	tailCount     = 28
)

func isSyllable(r rune) bool { return r >= syllableFirst && r <= syllableLast }

// appendLetters appends the spelling of w for fuzzy comparison to spelling:
// Hangul syllables as their two or three jamo, other runes as they are.
// It appends to ends, for each rune of w, the length of the spelling of w
// up to and including it (relative to where w's spelling starts).
func appendLetters(spelling []rune, ends []int, w string) ([]rune, []int) {
	start := len(spelling)
	for _, r := range w {
		if isSyllable(r) {
			i := r - syllableFirst
			spelling = append(spelling, leadFirst+i/(vowelCount*tailCount), vowelFirst+(i%(vowelCount*tailCount))/tailCount)
			if t := i % tailCount; t != 0 {
				spelling = append(spelling, tailBase+t)
			}
		} else {
			spelling = append(spelling, r)
		}
		ends = append(ends, len(spelling)-start)
	}
	return spelling, ends
}
