package provider

import (
	"fmt"
	"strings"

	"golang.org/x/text/language"
)

// LanguageAuto is the agent language that lets speech-to-text detect the
// language: every plugin is asked to serve it.
const LanguageAuto = "auto"

// BaseLanguage is the base language of a BCP-47 tag, lower-case: en-GB,
// en_GB and EN give en, zh-Hant-TW gives zh. auto, the empty string and a
// tag that does not parse are returned unchanged, so a plugin can switch
// on the result.
func BaseLanguage(tag string) string {
	if tag == "" || tag == LanguageAuto {
		return tag
	}
	t, err := language.Parse(tag)
	if err != nil || t == language.Und {
		return tag
	}
	b, _ := t.Base()
	return b.String()
}

// CanonicalLanguage returns tag in canonical BCP-47 form (en-us gives
// en-US, iw gives he); ok is false when it is not a well-formed tag of
// known subtags, or is und.
func CanonicalLanguage(tag string) (canonical string, ok bool) {
	t, err := language.Parse(tag)
	if err != nil || t == language.Und {
		return "", false
	}
	return t.String(), true
}

// canonicalLanguages checks a plugin's declared languages and returns them
// in canonical form (en-us gives en-US).
func canonicalLanguages(tags []string) ([]string, error) {
	out := make([]string, 0, len(tags))
	for _, s := range tags {
		t, ok := CanonicalLanguage(s)
		if !ok {
			return nil, fmt.Errorf("language %q is not a BCP-47 tag such as en, en-US or pt-BR", s)
		}
		out = append(out, t)
	}
	return out, nil
}

// SupportsLanguage reports whether the plugin serves an agent speaking
// lang (a BCP-47 tag, or auto). A plugin that lists no languages serves
// any; auto and the empty language are always served (the plugin is told
// the language each request is in). A listed base language serves every
// tag of it (en serves en-GB), a listed tag its more specific ones
// (zh-Hant serves zh-Hant-TW), and an agent that names only a base
// language is served by any tag of it (en by a plugin that lists en-US).
func (d Description) SupportsLanguage(lang string) bool {
	if len(d.Languages) == 0 || lang == "" || lang == LanguageAuto {
		return true
	}
	want := lang
	if t, err := language.Parse(lang); err == nil {
		want = t.String()
	}
	for _, have := range d.Languages {
		if strings.EqualFold(have, want) || strings.HasPrefix(strings.ToLower(want), strings.ToLower(have)+"-") ||
			strings.EqualFold(want, BaseLanguage(have)) {
			return true
		}
	}
	return false
}
