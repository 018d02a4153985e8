package agent

import (
	"fmt"

	"github.com/invopop/jsonschema"
	"go.yaml.in/yaml/v3"
)

// Language is the language an agent speaks and listens in.
type Language string

// Languages an agent can be written for.
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

// languages lists the valid values in the order messages and the schema show them.
var languages = []Language{LanguageKorean, LanguageEnglish, LanguageAuto}

// languageChoices is the human-readable list of valid values.
const languageChoices = "ko, en, auto"

// ParseLanguage returns the Language written as s. Only the exact lower-case
// codes are accepted, so a file means the same thing to the loader and to the
// JSON Schema.
func ParseLanguage(s string) (Language, error) {
	for _, l := range languages {
		if s == string(l) {
			return l, nil
		}
	}
	return LanguageUnknown, fmt.Errorf("must be one of %s, not %q", languageChoices, s)
}

// Valid reports whether l is one of the defined languages.
func (l Language) Valid() bool {
	_, err := ParseLanguage(string(l))
	return err == nil
}

// String returns the language code, or "unknown" for the zero value.
func (l Language) String() string {
	if l == LanguageUnknown {
		return "unknown"
	}
	return string(l)
}

// UnmarshalYAML decodes a language code. Errors are returned as
// *yaml.TypeError so the decoder keeps going and reports them with the rest.
func (l *Language) UnmarshalYAML(value *yaml.Node) error {
	if value.Kind != yaml.ScalarNode || value.ShortTag() != "!!str" {
		return typeError(value, "must be one of "+languageChoices)
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
	s := &jsonschema.Schema{
		Type:        "string",
		Description: "Language the agent speaks: ko (Korean), en (English) or auto (detected by the speech-to-text provider).",
	}
	for _, l := range languages {
		s.Enum = append(s.Enum, string(l))
	}
	return s
}

// typeError formats a decoding problem the way yaml.v3 does ("line N: ..."),
// so decode.go can place it with the others.
func typeError(n *yaml.Node, msg string) error {
	return &yaml.TypeError{Errors: []string{fmt.Sprintf("line %d: %s", n.Line, msg)}}
}
