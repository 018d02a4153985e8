package main

import (
	"fmt"
	"strings"
	"sync"
	"unicode"

	"github.com/parleyhq/parley/plugins/internal/espeakng"
	"github.com/parleyhq/parley/runtime/provider"
)

// The languages with voices of their own (the six OpenAI voice names have
// an English and a Korean sound); every other language espeak-ng speaks
// gets its own voice with the style's variant.
const (
	langEnglish = "en"
	langKorean  = "ko"
)

var (
	voiceLangsOnce sync.Once
	voiceLangsRaw  map[string]bool // espeak-ng's language names, lower-case
	voiceLangsTags []string        // the same as canonical BCP-47 tags
)

// voiceLanguages returns the languages espeak-ng's voices speak: espeak-ng's own
// names, and the ones that are BCP-47 tags in canonical form, which the
// plugin declares. Without espeak-ng data both are empty (and the plugin
// declares any language: each request then fails with the cause).
func voiceLanguages() (map[string]bool, []string) {
	voiceLangsOnce.Do(func() {
		voiceLangsRaw = map[string]bool{}
		names, err := espeakng.Languages()
		if err != nil {
			return
		}
		seen := map[string]bool{}
		for _, n := range names {
			voiceLangsRaw[strings.ToLower(n)] = true
			if tag, ok := provider.CanonicalLanguage(n); ok && !seen[tag] {
				seen[tag] = true
				voiceLangsTags = append(voiceLangsTags, tag)
			}
		}
	})
	return voiceLangsRaw, voiceLangsTags
}

// resolveLanguage is the espeak-ng language to speak text in: for auto
// (or none) Korean when the text has any Hangul, English otherwise; en and
// ko (any region) as themselves; another language as the most specific
// espeak-ng language that matches it (pt-BR as pt-br, zh-Hant-TW as zh).
func resolveLanguage(lang, text string) (string, error) {
	l := strings.ToLower(strings.TrimSpace(lang))
	switch base(l) {
	case langEnglish:
		return langEnglish, nil
	case langKorean:
		return langKorean, nil
	case "", provider.LanguageAuto:
		if hasHangul(text) {
			return langKorean, nil
		}
		return langEnglish, nil
	}
	raw, _ := voiceLanguages()
	for _, cand := range []string{strings.ReplaceAll(l, "_", "-"), base(l)} {
		if raw[cand] {
			return cand, nil
		}
	}
	return "", fmt.Errorf("language %q: espeak-ng has no voice for it", lang)
}

// base is the language without its region: en-US gives en.
func base(lang string) string {
	return provider.BaseLanguage(strings.ToLower(strings.TrimSpace(lang)))
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
