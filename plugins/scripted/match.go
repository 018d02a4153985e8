package main

import "strings"

// minFuzzyLetters is the shortest keyword word that may match fuzzily:
// shorter ones are one typo away from other words (bye, buy; our, hour).
const minFuzzyLetters = 4

// turn matches the caller's words of one turn against a script's keywords.
type turn struct {
	s     *script
	heard []term
	// covered[i] is how well heard[i] matches the intent being scored.
	covered []float64
	// q and bestQ hold a phrase's per-word matches; dist is scratch space
	// for edit distances.
	q, bestQ []float64
	dist     []int
}

func newTurn(s *script, text string) *turn {
	heard := terms(text)
	return &turn{s: s, heard: heard, covered: make([]float64, len(heard))}
}

// score is how well the caller's words match an intent: each heard word
// counts once, by its best match with any of the intent's keywords (1 for
// the same word, the similarity for a misheard one), so a word is not
// counted twice by overlapping keywords (thanks, thank you).
func (t *turn) score(in *intent) float64 {
	clear(t.covered)
	for _, k := range in.keywords {
		t.cover(k)
	}
	total := 0.0
	for _, c := range t.covered {
		total += c
	}
	return total
}

// cover finds the best place where keyword k is heard and raises covered
// for the words it matches there.
func (t *turn) cover(k keyword) {
	if len(t.q) < len(k) {
		t.q, t.bestQ = make([]float64, len(k)), make([]float64, len(k))
	}
	q, bestQ := t.q[:len(k)], t.bestQ[:len(k)]
	bestAt, best := -1, 0.0
	for at := 0; at+len(k) <= len(t.heard); at++ {
		sum := 0.0
		for j := range k {
			q[j] = t.match(&k[j], &t.heard[at+j])
			if q[j] == 0 {
				sum = 0
				break
			}
			sum += q[j]
		}
		if sum > best {
			bestAt, best = at, sum
			copy(bestQ, q)
		}
	}
	if bestAt < 0 {
		return
	}
	for j, m := range bestQ {
		t.covered[bestAt+j] = max(t.covered[bestAt+j], m)
	}
}

// match is how well a heard word matches a keyword word: 1 for the same
// word (or stem, or a Korean word it begins), the similarity when that is
// at least the script's fuzzy threshold, else 0.
func (t *turn) match(want, heard *term) float64 {
	if want.stem == heard.stem || (want.hangul && strings.HasPrefix(heard.word, want.word)) {
		return 1
	}
	if t.s.fuzzy >= 1 || len(want.letters) < minFuzzyLetters {
		return 0
	}
	if sim := t.s.similar(want.letters, heard.letters, &t.dist); sim > 0 {
		return sim
	}
	switch {
	case want.hangul && heard.hangul && len(want.syllableEnds) < len(heard.syllableEnds):
		// The keyword against as many syllables of the heard word, the rest
		// being its particles and endings (베송이: 베송).
		prefix := heard.letters[:heard.syllableEnds[len(want.syllableEnds)-1]]
		return t.s.similar(want.letters, prefix, &t.dist)
	case want.stemLetters != nil || heard.stemLetters != nil:
		// delivered, delivery: deliver, delivery.
		return t.s.similar(want.stemRunes(), heard.stemRunes(), &t.dist)
	}
	return 0
}
