package main

import (
	"strings"
	"unicode"

	"github.com/parleyhq/parley/runtime/provider"
)

// The languages the lexicon mode scores.
const (
	languageEnglish = "en"
	languageKorean  = "ko"
)

// languageOf resolves a request's language to one the lexicon mode knows.
// "ko" and "en" (also as "ko-KR", "en-US", "korean", "english") are taken
// as given; anything else, "auto" and "" included, is decided by script:
// Korean when the text has any Hangul, English otherwise.
func languageOf(requested, text string) string {
	l := strings.ToLower(strings.TrimSpace(requested))
	switch {
	case l == "ko" || strings.HasPrefix(l, "ko-") || strings.HasPrefix(l, "ko_") || l == "kor" || l == "korean":
		return languageKorean
	case l == "en" || strings.HasPrefix(l, "en-") || strings.HasPrefix(l, "en_") || l == "eng" || l == "english":
		return languageEnglish
	case hasHangul(text):
		return languageKorean
	default:
		return languageEnglish
	}
}

// lexiconScores reports whether the lexicon mode has a lexicon for an
// agent's language: en and ko (any region), or auto and none, which are
// decided by the text's script.
func lexiconScores(lang string) bool {
	switch provider.BaseLanguage(strings.ToLower(strings.TrimSpace(lang))) {
	case "", provider.LanguageAuto, languageEnglish, languageKorean:
		return true
	}
	return false
}

// hasHangul reports whether text has a Hangul letter.
func hasHangul(text string) bool {
	for _, r := range text {
		if unicode.Is(unicode.Hangul, r) {
			return true
		}
	}
	return false
}
