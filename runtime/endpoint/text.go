package endpoint

import (
	"strings"
	"unicode"
)

// Cue is how finished one signal says an utterance is, from -1 (surely
// unfinished: the caller is mid-sentence) through 0 (no opinion) to 1
// (surely finished).
type Cue float64

// Cues the rules give.
const (
	Unfinished     Cue = -1
	LeanUnfinished Cue = -0.5
	Unknown        Cue = 0
	LeanFinished   Cue = 0.5
	Finished       Cue = 1
)

// maxTextRunes bounds the transcript the rules read: only its end matters.
const maxTextRunes = 400

// Text returns how finished a transcript sounds in language (a BCP-47 tag;
// its base language picks the rules: en and ko have them). An empty
// language, auto, or one without rules is guessed from the script: Hangul
// reads as Korean, Latin as English. Other scripts get the punctuation cue
// alone (a final '?' or '.' from providers that punctuate).
func Text(language, text string) Cue {
	text = tail(text)
	if strings.TrimSpace(text) == "" {
		return Unknown
	}
	switch rulesFor(language, text) {
	case "en":
		return english(text)
	case "ko":
		return korean(text)
	}
	return punctuation(text)
}

// tail returns the end of text, at most maxTextRunes runes.
func tail(text string) string {
	if len(text) <= maxTextRunes {
		return text
	}
	r := []rune(text)
	if len(r) <= maxTextRunes {
		return text
	}
	return string(r[len(r)-maxTextRunes:])
}

// rulesFor picks the rules for language, or from text's script.
func rulesFor(language, text string) string {
	base := strings.ToLower(language)
	if i := strings.IndexAny(base, "-_"); i >= 0 {
		base = base[:i]
	}
	if base == "en" || base == "ko" {
		return base
	}
	if base != "" && base != "auto" {
		return ""
	}
	var hangul, latin int
	for _, r := range text {
		switch {
		case unicode.Is(unicode.Hangul, r):
			hangul++
		case unicode.Is(unicode.Latin, r):
			latin++
		}
	}
	switch {
	case hangul > 0 && hangul >= latin:
		return "ko"
	case latin > 0:
		return "en"
	}
	return ""
}

// punctuation reads the mark a punctuating recogniser (Whisper) ends the
// text with: a full stop, question or exclamation mark means finished, a
// comma, dash or ellipsis unfinished. Unknown when there is none.
func punctuation(text string) Cue {
	t := strings.TrimRightFunc(text, unicode.IsSpace)
	switch {
	case strings.HasSuffix(t, "..."), strings.HasSuffix(t, "…"):
		return Unfinished
	case t == "":
		return Unknown
	}
	switch r := lastRune(t); r {
	case '?', '!', '.', '？', '！', '。':
		return Finished
	case ',', '，', '、', '-', '–', '—', ':', ';':
		return Unfinished
	}
	return Unknown
}

// withPunctuation combines the cue of a text's final mark p with the cue
// of its words c: a comma or an ellipsis is unfinished whatever the words;
// a full stop or question mark is finished unless the words say unfinished
// (Whisper puts a full stop after a clause it heard cut off: then the
// words lean unfinished).
func withPunctuation(p, c Cue) Cue {
	switch {
	case p == Unfinished:
		return Unfinished
	case p == Finished && c == Unfinished:
		return LeanUnfinished
	case p == Finished:
		return Finished
	}
	return c
}

func lastRune(s string) rune {
	r := []rune(s)
	if len(r) == 0 {
		return 0
	}
	return r[len(r)-1]
}

// Extends reports whether final only adds to partial: partial's words
// are the start of final's, the last of them perhaps cut short ("where is
// my or" of "where is my order"). Anything extends an empty partial. A
// final that does not extend its partial rewrote its end: the recogniser
// was unsure of the last words.
func Extends(final, partial string) bool {
	return strings.HasPrefix(strings.Join(words(final), " "), strings.Join(words(partial), " "))
}

// words splits text into lower-case words, dropping punctuation (an
// apostrophe inside a word stays: "i'm", "that's"; a hyphen joins "uh-huh").
func words(text string) []string {
	f := strings.FieldsFunc(strings.ToLower(text), func(r rune) bool {
		inWord := unicode.IsLetter(r) || unicode.IsDigit(r) || r == '\'' || r == '’' || r == '-'
		return !inWord
	})
	out := f[:0]
	for _, w := range f {
		w = strings.Trim(strings.ReplaceAll(w, "’", "'"), "'-")
		if w != "" {
			out = append(out, w)
		}
	}
	return out
}

// set is a word list.
type set map[string]bool

func newSet(s string) set {
	out := set{}
	for _, w := range strings.Fields(s) {
		out[w] = true
	}
	return out
}
