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
		{"", LanguageUnknown, true},
		{"EN", LanguageUnknown, true},
		{"english", LanguageUnknown, true},
		{"ko-KR", LanguageUnknown, true},
		{" en", LanguageUnknown, true},
	}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			got, err := ParseLanguage(tt.in)
			if (err != nil) != tt.wantErr || got != tt.want {
				t.Fatalf("ParseLanguage(%q) = %q, %v; want %q, error %v", tt.in, got, err, tt.want, tt.wantErr)
			}
			if err != nil && !strings.Contains(err.Error(), "must be one of ko, en, auto") {
				t.Errorf("error %q does not list the valid values", err)
			}
			if got.Valid() == tt.wantErr {
				t.Errorf("Valid() = %v", got.Valid())
			}
		})
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
	err := yaml.Unmarshal([]byte("l: fr"), &v)
	if te := (*yaml.TypeError)(nil); !errors.As(err, &te) || !strings.Contains(err.Error(), `line 1: must be one of ko, en, auto, not "fr"`) {
		t.Fatalf("err = %v (%T)", err, err)
	}
	err = yaml.Unmarshal([]byte("l: [en]"), &v)
	if te := (*yaml.TypeError)(nil); !errors.As(err, &te) {
		t.Fatalf("list accepted: %v", err)
	}
}
