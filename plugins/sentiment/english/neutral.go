package english

import (
	"strings"
	"unicode"
)

// neutralise drops the words that VADER scores as mood but that callers use
// as plain request phrasing, so that "I would like to check my order" is
// neutral while "I like this lamp" stays positive:
//
//   - "like" after would/'d/look(s)/seem(s)/sound(s)/feel(s) or before "to"
//     ("I'd like to", "it looks like");
//   - "please" (politeness, not mood);
//   - "help" asked for: before me/us/with or after can/could/would/will/you/
//     please/need/to ("can you help me"), but not "thanks for your help";
//   - an answer word (yes, yeah, no, nope, ok, okay, sure) opening the
//     sentence, unless the next word carries mood itself ("no problem").
//
// The other words are kept as written, so VADER's case and punctuation
// rules still apply to them.
func neutralise(text string) string {
	words := strings.Fields(text)
	keys := make([]string, len(words))
	for i, w := range words {
		keys[i] = key(w)
	}
	drop := make([]bool, len(words))
	for i := range words {
		drop[i] = isRequestPhrasing(keys, i)
	}
	// An opening answer word is judged by the word after it as VADER will
	// see it: "yes please" is neutral once "please" is gone.
	if len(words) > 0 && answers[keys[0]] {
		_, moody := analyzer().Lexicon[at(keys, 1)]
		drop[0] = !moody || (len(drop) > 1 && drop[1])
	}
	kept := make([]string, 0, len(words))
	for i, w := range words {
		if !drop[i] {
			kept = append(kept, w)
		}
	}
	return strings.Join(kept, " ")
}

// key is a word as the rules compare it: lower case, no surrounding
// punctuation, typographic apostrophes made plain.
func key(w string) string {
	w = strings.ReplaceAll(strings.ToLower(w), "’", "'")
	return strings.TrimFunc(w, func(r rune) bool { return !unicode.IsLetter(r) && !unicode.IsDigit(r) && r != '\'' })
}

var (
	likeAfter  = set("would", "i'd", "we'd", "you'd", "he'd", "she'd", "they'd", "id", "look", "looks", "looked", "seem", "seems", "seemed", "sound", "sounds", "feel", "feels")
	helpBefore = set("me", "us", "with", "out")
	helpAfter  = set("can", "could", "would", "will", "you", "please", "need", "to")
	answers    = set("yes", "yeah", "yep", "no", "nope", "ok", "okay", "sure")
)

// isRequestPhrasing reports whether keys[i] is request phrasing by the
// rules of neutralise.
func isRequestPhrasing(keys []string, i int) bool {
	prev, next := at(keys, i-1), at(keys, i+1)
	switch keys[i] {
	case "like":
		return likeAfter[prev] || next == "to"
	case "please":
		return true
	case "help":
		return helpBefore[next] || helpAfter[prev]
	}
	return false
}

func at(keys []string, i int) string {
	if i < 0 || i >= len(keys) {
		return ""
	}
	return keys[i]
}

func set(words ...string) map[string]bool {
	m := make(map[string]bool, len(words))
	for _, w := range words {
		m[w] = true
	}
	return m
}
