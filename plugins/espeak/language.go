package main

import (
	"fmt"
	"strings"
	"unicode"
)

// The languages spoken.
const (
	langEnglish = "en"
	langKorean  = "ko"
)

// resolveLanguage is the language to speak text in: the agent's, or for
// auto (or none) Korean when the text has any Hangul, English otherwise.
func resolveLanguage(lang, text string) (string, error) {
	switch base(lang) {
	case langEnglish:
		return langEnglish, nil
	case langKorean:
		return langKorean, nil
	case "", "auto":
		if hasHangul(text) {
			return langKorean, nil
		}
		return langEnglish, nil
	default:
		return "", fmt.Errorf("language %q: this plugin speaks en and ko (or auto)", lang)
	}
}

// base is the language without its region: en-US gives en.
func base(lang string) string {
	l := strings.ToLower(strings.TrimSpace(lang))
	if i := strings.IndexAny(l, "-_"); i >= 0 {
		l = l[:i]
	}
	return l
}

// hasHangul reports whether text has any Korean letter.
func hasHangul(text string) bool {
	for _, r := range text {
		if unicode.Is(unicode.Hangul, r) {
			return true
		}
	}
	return false
}
