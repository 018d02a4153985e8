package main

import (
	"strings"
	"unicode"
)

// term is one word of the caller's text or of a keyword, in the forms the
// matcher compares.
type term struct {
	// word is the word lower-cased, without punctuation or apostrophes.
	word string
	// stem is word with English inflections removed (orders, ordered,
	// ordering: order); Hangul words are their own stem.
	stem string
	// hangul marks a Korean word: it matches a word it begins (주문 matches
	// 주문을, 주문했는데요), since Korean writes particles and endings onto
	// the word.
	hangul bool
	// letters is word as fuzzy matching compares it, Hangul syllables
	// split into their jamo so that one wrong vowel is one edit (배송,
	// 베송), and syllableEnds[i] is len(letters) of the first i+1
	// syllables, for comparing a keyword with the start of a word.
	letters      []rune
	syllableEnds []int
	// stemLetters is stem as runes when it differs from word, else nil.
	stemLetters []rune
}

// terms normalises text and splits it into terms: lower case, apostrophes
// dropped (that's: thats), anything but letters and digits a separator.
func terms(text string) []term {
	var b strings.Builder
	b.Grow(len(text))
	for _, r := range strings.ToLower(text) {
		switch {
		case r == '\'' || r == '’' || r == 'ʼ':
		case unicode.IsLetter(r) || unicode.IsDigit(r):
			b.WriteRune(r)
		default:
			b.WriteByte(' ')
		}
	}
	words := strings.Fields(b.String())
	// The terms' rune and int slices share two arrays: a turn's words cost
	// two allocations, not three each.
	var a arena
	a.runes = make([]rune, 0, 4*b.Len())
	a.ints = make([]int, 0, b.Len())
	out := make([]term, len(words))
	for i, w := range words {
		out[i] = a.newTerm(w)
	}
	return out
}

// arena holds the backing arrays of terms' slices.
type arena struct {
	runes []rune
	ints  []int
}

func (a *arena) newTerm(w string) term {
	t := term{word: w, stem: w}
	for _, r := range w {
		if isSyllable(r) {
			t.hangul = true
			break
		}
	}
	if !t.hangul {
		t.stem = stem(w)
	}
	r0, i0 := len(a.runes), len(a.ints)
	a.runes, a.ints = appendLetters(a.runes, a.ints, w)
	t.letters, t.syllableEnds = a.runes[r0:len(a.runes):len(a.runes)], a.ints[i0:len(a.ints):len(a.ints)]
	if t.stem != w {
		r0 = len(a.runes)
		for _, r := range t.stem {
			a.runes = append(a.runes, r)
		}
		t.stemLetters = a.runes[r0:len(a.runes):len(a.runes)]
	}
	return t
}

// stem removes common English inflections. It is deliberately crude: the
// caller's words and the keywords go through it alike, so it only has to
// bring the forms of one word together, not to find real roots.
func stem(w string) string {
	n := len(w)
	undouble := false
	switch {
	case n > 4 && strings.HasSuffix(w, "ies"):
		w = w[:n-3] + "y"
	case n > 5 && strings.HasSuffix(w, "ing"):
		w, undouble = w[:n-3], true
	case n > 4 && strings.HasSuffix(w, "ed"):
		w, undouble = w[:n-2], true
	case n > 4 && strings.HasSuffix(w, "es"):
		w = w[:n-2]
	case n > 3 && strings.HasSuffix(w, "s") && !strings.HasSuffix(w, "ss"):
		w = w[:n-1]
	}
	if n := len(w); n > 4 && w[n-1] == 'e' {
		w = w[:n-1]
	}
	// shipped, shipping: ship; but calling: call.
	if n := len(w); undouble && n > 3 && w[n-1] == w[n-2] && !strings.ContainsRune("lsz", rune(w[n-1])) && !strings.ContainsRune("aeiou", rune(w[n-1])) {
		w = w[:n-1]
	}
	return w
}

// stemRunes is stem as runes.
func (t *term) stemRunes() []rune {
	if t.stemLetters != nil {
		return t.stemLetters
	}
	return t.letters
}
