// Package korean scores the mood of Korean text with a small lexicon of
// its own (no Korean sentiment lexicon is packaged anywhere reachable):
// stems with VADER-scale weights matched as prefixes of each eojeol, with
// negation (안 좋아요, 좋지 않아요, 문제 없어요), intensifiers (정말, 너무),
// mitigators (조금, 약간) and contrast (하지만, -지만). The sum of the
// valences is normalised as VADER normalises its own, so Korean and
// English scores read alike.
package korean

import (
	"math"
	"strings"
	"unicode"
	"unicode/utf8"
)

// Scoring constants.
const (
	// negation turns a valence round and weakens it (VADER's N_SCALAR).
	negation = -0.74
	// failure is the valence of a negated neutral predicate: in a
	// customer-service call "택배를 못 받았어요" (I did not get the parcel)
	// and "결제가 안 돼요" (payment does not go through) are complaints.
	failure = -1.0
	// maxScale caps stacked intensifiers (정말 너무 진짜 ...).
	maxScale = 2.5
	// modifierReach is how many eojeol a pending modifier waits for its
	// word (너무 배송이 느려요).
	modifierReach = 2
	// alpha normalises the sum as VADER does: x / sqrt(x² + alpha).
	alpha = 15
)

// Compound returns the valence of Korean text in [-1, 1]: -1 most
// negative, 0 neutral, 1 most positive.
func Compound(text string) float64 {
	return normalise(sum(tokens(text)))
}

// tokens splits text into eojeol without surrounding punctuation.
func tokens(text string) []string {
	fields := strings.Fields(text)
	out := fields[:0]
	for _, f := range fields {
		f = strings.TrimFunc(f, func(r rune) bool { return !unicode.IsLetter(r) && !unicode.IsDigit(r) })
		if f != "" {
			out = append(out, f)
		}
	}
	return out
}

// scorer walks the eojeol of one text.
type scorer struct {
	toks []string
	vals []float64
	// contrastAt is the number of valences before the last contrast, or -1.
	contrastAt int
	// scale and reach are the pending modifier and how many more eojeol it
	// waits for its word.
	scale float64
	reach int
	// negateNext is set by a stand-alone 안 or 못.
	negateNext bool
	// lastWord is the index in vals of the previous eojeol's valence when
	// that eojeol was a word that was not negated, or -1.
	lastWord int
}

// sum is the total valence of the eojeol.
func sum(toks []string) float64 {
	s := scorer{toks: toks, contrastAt: -1, scale: 1, lastWord: -1}
	for i := 0; i < len(toks); i++ {
		i += s.step(i)
	}
	total := 0.0
	for i, v := range s.vals {
		switch {
		case s.contrastAt < 0:
		case i < s.contrastAt:
			v *= 0.5
		default:
			v *= 1.5
		}
		total += v
	}
	return total
}

// step scores eojeol i and returns how many following eojeol it consumed
// (the 않아요 of 좋지 않아요).
func (s *scorer) step(i int) (consumed int) {
	tok := s.toks[i]
	prevWord := s.lastWord
	s.lastWord = -1
	if contrasts[tok] {
		s.contrastAt = len(s.vals)
		return 0
	}
	e, rest := lookup(tok)
	if tok == "별로" && i+1 < len(s.toks) {
		e = mitigator() // 별로 안 좋아요; alone (별로예요) it is a word
	}
	negated := s.negateNext
	s.negateNext = false
	switch e.class {
	case classNegator:
		s.negateNext = true
		s.lastWord = prevWord // 만족이 안 돼요
		return 0
	case classIntensifier, classMitigator:
		s.scale = math.Min(s.scale*e.weight, maxScale)
		s.reach = modifierReach
		s.lastWord = prevWord
		return 0
	case classUnknown:
		// 못받았어요, 안좋아요: a negator written onto its predicate.
		for _, neg := range []string{"못", "안"} {
			if r, ok := strings.CutPrefix(tok, neg); ok && r != "" {
				if inner, innerRest := lookup(r); inner.class == classWord || neg == "못" {
					e, rest, negated = inner, innerRest, true
				}
			}
		}
	}
	next := ""
	if i+1 < len(s.toks) {
		next = s.toks[i+1]
	}
	if suffixNegated(rest) {
		negated = true
	} else if endsNegatable(tok) && hasPrefix(next, negatingStarts) {
		negated, consumed = true, 1
	} else if e.class == classWord && strings.Contains(rest, "없") {
		negated = true
	} else if e.class == classWord && strings.HasPrefix(next, "없") {
		negated, consumed = true, 1
	}

	switch {
	case e.class == classWord:
		v := e.weight * s.scale
		if negated {
			v *= negation
		} else if v > 0 && isRequest(rest, next) {
			v = 0 // a wish, not a mood: 해결해 주세요, 빨리 받고 싶어요
		}
		s.vals = append(s.vals, v)
		if !negated {
			s.lastWord = len(s.vals) - 1
		}
		s.scale, s.reach = 1, 0
	case negated && prevWord >= 0 && hasPrefix(strings.TrimPrefix(tok, "못"), lightVerbs):
		// 만족이 안 돼요: the negation belongs to the noun before.
		s.vals[prevWord] *= negation
	case negated:
		s.vals = append(s.vals, failure*s.scale)
		s.scale, s.reach = 1, 0
	default:
		if s.reach--; s.reach <= 0 {
			s.scale = 1
		}
	}
	if strings.HasSuffix(tok, "지만") {
		s.contrastAt = len(s.vals)
	}
	return consumed
}

// lookup finds the entry of an eojeol: a whole-word entry, else the
// longest stem it starts with. rest is what follows the stem.
func lookup(tok string) (entry, string) {
	if e, ok := exact[tok]; ok {
		return e, ""
	}
	for end := len(tok); end > 0; {
		if e, ok := stems[tok[:end]]; ok {
			return e, tok[end:]
		}
		_, size := utf8.DecodeLastRuneInString(tok[:end])
		end -= size
	}
	return entry{}, tok
}

// suffixNegated reports whether the ending after a stem negates it in the
// same eojeol (만족스럽지않아요).
func suffixNegated(rest string) bool {
	for _, n := range joinedNegations {
		if strings.Contains(rest, n) {
			return true
		}
	}
	return false
}

// endsNegatable reports whether an eojeol ends in the -지 form that a
// following 않다 or 못하다 negates.
func endsNegatable(tok string) bool {
	for _, e := range negatedEndings {
		if strings.HasSuffix(tok, e) {
			return true
		}
	}
	return false
}

// requestEndings mark a predicate as asked for or wished for.
var requestEndings = []string{"주세요", "주시", "줘", "주실", "줄래", "싶"}

// isRequest reports whether a predicate is a request: its ending or the
// next eojeol is one of requestEndings.
func isRequest(rest, next string) bool {
	for _, r := range requestEndings {
		if strings.Contains(rest, r) || strings.HasPrefix(next, r) {
			return true
		}
	}
	return false
}

func hasPrefix(s string, prefixes []string) bool {
	for _, p := range prefixes {
		if strings.HasPrefix(s, p) {
			return true
		}
	}
	return false
}

// normalise maps a sum of valences into [-1, 1] as VADER does.
func normalise(x float64) float64 {
	return max(-1, min(1, x/math.Sqrt(x*x+alpha)))
}
