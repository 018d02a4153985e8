package agent

import (
	"fmt"

	"github.com/invopop/jsonschema"
	"go.yaml.in/yaml/v3"
	"golang.org/x/text/language"
)

// Language is the language an agent speaks and listens in: a canonical
// BCP-47 tag such as en, en-US, pt-BR or zh-Hant-TW, or auto.
type Language string

// Languages with a name in the code: the two the built-in phrases were
// first written in, and auto.
const (
	// LanguageUnknown is the zero value: the language was not set.
	LanguageUnknown Language = ""
	// LanguageKorean is Korean.
	LanguageKorean Language = "ko"
	// LanguageEnglish is English.
	LanguageEnglish Language = "en"
	// LanguageAuto lets the speech-to-text provider detect the language.
	LanguageAuto Language = "auto"
)

// languageChoices is the human-readable description of valid values.
const languageChoices = "a BCP-47 language tag such as en, en-US, ko, pt-BR or zh-Hant-TW, or auto"

// languagePattern is the shape of a tag in the JSON Schema: editors can
// check the form; the loader checks the subtags exist.
const languagePattern = `^(auto|[A-Za-z]{2,3}([-_][A-Za-z0-9]{1,8})*)$`

// ParseLanguage returns the Language written as s: auto, or a well-formed
// BCP-47 tag whose subtags exist, in its canonical form (en-us gives
// en-US, iw gives he). und (undetermined) is refused: write auto.
func ParseLanguage(s string) (Language, error) {
	if s == string(LanguageAuto) {
		return LanguageAuto, nil
	}
	if s == "" {
		return LanguageUnknown, fmt.Errorf("must be %s, not an empty string", languageChoices)
	}
	tag, err := language.Parse(s)
	if err != nil || tag == language.Und {
		return LanguageUnknown, fmt.Errorf("must be %s, not %q", languageChoices, s)
	}
	return Language(tag.String()), nil
}

// Valid reports whether l is auto or a canonical BCP-47 tag.
func (l Language) Valid() bool {
	parsed, err := ParseLanguage(string(l))
	return err == nil && parsed == l
}

// Base is the language without script or region (en-GB gives en,
// zh-Hant-TW gives zh); auto and the zero value give themselves.
func (l Language) Base() Language {
	return Language(BaseLanguage(string(l)))
}

// BaseLanguage is the base language of a tag as a provider or the
// speech-to-text reports it (en-GB, en_GB and EN give en); auto, the empty
// string and a tag that does not parse are returned unchanged.
func BaseLanguage(tag string) string {
	if tag == "" || tag == string(LanguageAuto) {
		return tag
	}
	t, err := language.Parse(tag)
	if err != nil || t == language.Und {
		return tag
	}
	b, _ := t.Base()
	return b.String()
}

// String returns the language tag, or "unknown" for the zero value.
func (l Language) String() string {
	if l == LanguageUnknown {
		return "unknown"
	}
	return string(l)
}

// UnmarshalYAML decodes a language tag. Errors are returned as
// *yaml.TypeError so the decoder keeps going and reports them with the rest.
func (l *Language) UnmarshalYAML(value *yaml.Node) error {
	if value.Kind != yaml.ScalarNode || value.ShortTag() != "!!str" {
		return typeError(value, "must be "+languageChoices)
	}
	parsed, err := ParseLanguage(value.Value)
	if err != nil {
		return typeError(value, err.Error())
	}
	*l = parsed
	return nil
}

// JSONSchema describes Language in the generated JSON Schema.
func (Language) JSONSchema() *jsonschema.Schema {
	return &jsonschema.Schema{
		Type:        "string",
		Pattern:     languagePattern,
		Description: "Language the agent speaks: a BCP-47 tag (en, en-US, ko, pt-BR, zh-Hant-TW ...) or auto (detected by the speech-to-text provider). Built-in phrases exist for en and ko; other languages get English ones unless the agent sets its own.",
		Examples:    []any{"en", "en-US", "ko", "pt-BR", "auto"},
	}
}

// typeError formats a decoding problem the way yaml.v3 does ("line N: ..."),
// so decode.go can place it with the others.
func typeError(n *yaml.Node, msg string) error {
	return &yaml.TypeError{Errors: []string{fmt.Sprintf("line %d: %s", n.Line, msg)}}
}
