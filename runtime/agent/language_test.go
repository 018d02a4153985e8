package agent

import (
	"errors"
	"strings"
	"testing"

	"go.yaml.in/yaml/v3"
)

func TestParseLanguage(t *testing.T) {
	tests := []struct {
		in      string
		want    Language
		wantErr bool
	}{
		{"ko", LanguageKorean, false},
		{"en", LanguageEnglish, false},
		{"auto", LanguageAuto, false},
		{"en-US", "en-US", false},
		{"en-us", "en-US", false}, // canonical form
		{"EN", "en", false},
		{"pt-BR", "pt-BR", false},
		{"zh-Hant-TW", "zh-Hant-TW", false},
		{"ko-KR", "ko-KR", false},
		{"fr_FR", "fr-FR", false},
		{"iw", "he", false}, // deprecated code
		{"", LanguageUnknown, true},
		{"english", LanguageUnknown, true},
		{"und", LanguageUnknown, true},
		{"xx", LanguageUnknown, true},
		{" en", LanguageUnknown, true},
		{"en--US", LanguageUnknown, true},
	}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			got, err := ParseLanguage(tt.in)
			if (err != nil) != tt.wantErr || got != tt.want {
				t.Fatalf("ParseLanguage(%q) = %q, %v; want %q, error %v", tt.in, got, err, tt.want, tt.wantErr)
			}
			if err != nil && !strings.Contains(err.Error(), "BCP-47") {
				t.Errorf("error %q does not say what is valid", err)
			}
			if got.Valid() == tt.wantErr {
				t.Errorf("Valid() = %v", got.Valid())
			}
		})
	}
	if Language("en-us").Valid() {
		t.Error("a tag not in canonical form is Valid")
	}
}

func TestLanguageBase(t *testing.T) {
	tests := map[Language]Language{
		"en": "en", "en-GB": "en", "zh-Hant-TW": "zh", "ko-KR": "ko", "auto": "auto", "": "",
	}
	for in, want := range tests {
		if got := in.Base(); got != want {
			t.Errorf("%q.Base() = %q, want %q", in, got, want)
		}
	}
	if got := BaseLanguage("en_GB"); got != "en" {
		t.Errorf(`BaseLanguage("en_GB") = %q`, got)
	}
	if got := BaseLanguage("klingon!"); got != "klingon!" {
		t.Errorf("an unparsable tag changed: %q", got)
	}
}

func TestLanguageString(t *testing.T) {
	if got := LanguageUnknown.String(); got != "unknown" {
		t.Errorf("LanguageUnknown.String() = %q", got)
	}
	if got := LanguageKorean.String(); got != "ko" {
		t.Errorf("LanguageKorean.String() = %q", got)
	}
}

func TestLanguageYAML(t *testing.T) {
	var v struct {
		L Language `yaml:"l"`
	}
	if err := yaml.Unmarshal([]byte("l: ko"), &v); err != nil || v.L != LanguageKorean {
		t.Fatalf("got %q, %v", v.L, err)
	}
	if err := yaml.Unmarshal([]byte("l: pt-br"), &v); err != nil || v.L != "pt-BR" {
		t.Fatalf("got %q, %v", v.L, err)
	}
	err := yaml.Unmarshal([]byte("l: french"), &v)
	if te := (*yaml.TypeError)(nil); !errors.As(err, &te) || !strings.Contains(err.Error(), `line 1: must be a BCP-47 language tag such as en, en-US, ko, pt-BR or zh-Hant-TW, or auto, not "french"`) {
		t.Fatalf("err = %v (%T)", err, err)
	}
	err = yaml.Unmarshal([]byte("l: [en]"), &v)
	if te := (*yaml.TypeError)(nil); !errors.As(err, &te) {
		t.Fatalf("list accepted: %v", err)
	}
}
