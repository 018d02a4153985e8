package provider

import "testing"

func TestBaseLanguage(t *testing.T) {
	tests := map[string]string{
		"en": "en", "en-GB": "en", "en_GB": "en", "EN": "en", "zh-Hant-TW": "zh", "pt-BR": "pt",
		"auto": "auto", "": "", "not a tag": "not a tag",
	}
	for in, want := range tests {
		if got := BaseLanguage(in); got != want {
			t.Errorf("BaseLanguage(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestSupportsLanguage(t *testing.T) {
	d := Description{Languages: []string{"en", "zh-Hant", "pt-BR"}}
	tests := []struct {
		lang string
		want bool
	}{
		{"en", true}, {"en-GB", true}, {"en-us", true},
		{"zh-Hant", true}, {"zh-Hant-TW", true}, {"zh-Hans-CN", false},
		{"zh", true}, // an agent naming only the base language
		{"pt-BR", true}, {"pt", true}, {"pt-PT", false},
		{"fr", false}, {"ko", false},
		{"auto", true}, {"", true},
	}
	for _, tt := range tests {
		if got := d.SupportsLanguage(tt.lang); got != tt.want {
			t.Errorf("SupportsLanguage(%q) = %v, want %v", tt.lang, got, tt.want)
		}
	}
	if !(Description{}).SupportsLanguage("fr") {
		t.Error("a plugin that declares no languages must serve any")
	}
}

func TestCanonicalLanguages(t *testing.T) {
	got, err := canonicalLanguages([]string{"en-us", "KO", "zh-hant-tw"})
	if err != nil || len(got) != 3 || got[0] != "en-US" || got[1] != "ko" || got[2] != "zh-Hant-TW" {
		t.Fatalf("got %v, %v", got, err)
	}
	for _, bad := range []string{"english", "", "und", "en--US"} {
		if _, err := canonicalLanguages([]string{bad}); err == nil {
			t.Errorf("%q accepted", bad)
		}
	}
}
