package main

import (
	"context"
	"strings"
	"testing"

	"github.com/parleyhq/parley/runtime/provider"
)

func TestValidateOptions(t *testing.T) {
	for _, tc := range []struct {
		name string
		req  provider.ValidateRequest
		want []string // substrings of the problems, in order
	}{
		{"defaults", provider.ValidateRequest{Kind: provider.KindTTS}, nil},
		{"every option", provider.ValidateRequest{Kind: provider.KindTTS, Language: "en", Voice: "onyx", Options: provider.Options{"engine": "flite", "rate": 200.0, "pitch": 40.0}}, nil},
		{"korean", provider.ValidateRequest{Language: "ko", Voice: "nova"}, nil},
		{"flite voice", provider.ValidateRequest{Voice: "kal", Options: provider.Options{"engine": "flite"}}, nil},
		{"unknown option", provider.ValidateRequest{Options: provider.Options{"speed": 1.0}}, []string{"options.speed: unknown option (known: engine, rate, pitch)"}},
		{"rate range", provider.ValidateRequest{Options: provider.Options{"rate": 500.0}}, []string{"options.rate: must be a whole number of words per minute from 80 to 450"}},
		{"rate type", provider.ValidateRequest{Options: provider.Options{"rate": "fast"}}, []string{"options.rate"}},
		{"rate fraction", provider.ValidateRequest{Options: provider.Options{"rate": 150.5}}, []string{"options.rate"}},
		{"pitch range", provider.ValidateRequest{Options: provider.Options{"pitch": -1.0}}, []string{"options.pitch: must be a whole number from 0 to 100"}},
		{"engine", provider.ValidateRequest{Options: provider.Options{"engine": "festival"}}, []string{"options.engine: must be espeak or flite"}},
		{"unknown voice", provider.ValidateRequest{Voice: "bob"}, []string{`voice "bob" is unknown: use one of alloy, echo, fable, onyx, nova, shimmer`}},
		{"flite voice on espeak", provider.ValidateRequest{Voice: "slt"}, []string{`voice "slt" is unknown`}},
		{"unknown voice flite", provider.ValidateRequest{Voice: "bob", Options: provider.Options{"engine": "flite"}}, []string{"(or flite's own: slt, rms, awb, kal)"}},
		{"flite korean", provider.ValidateRequest{Language: "ko", Options: provider.Options{"engine": "flite"}}, []string{"options.engine: flite speaks English only: use engine espeak for language ko"}},
		{"language", provider.ValidateRequest{Language: "tlh"}, []string{`language "tlh": espeak-ng has no voice for it`}},
		{"flite french", provider.ValidateRequest{Language: "fr", Options: provider.Options{"engine": "flite"}}, []string{"options.engine: flite speaks English only: use engine espeak for language fr"}},
		{"kind", provider.ValidateRequest{Kind: provider.KindSTT}, []string{"serves tts, not stt"}},
		{"several", provider.ValidateRequest{Voice: "bob", Options: provider.Options{"rate": 1.0, "pitch": 101.0}}, []string{"options.pitch", "options.rate", `voice "bob"`}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			problems, err := (&speaker{}).ValidateOptions(context.Background(), tc.req)
			if err != nil {
				t.Fatal(err)
			}
			if len(problems) != len(tc.want) {
				t.Fatalf("problems %v, want %d", problems, len(tc.want))
			}
			for i, p := range problems {
				if !strings.Contains(p.String(), tc.want[i]) {
					t.Errorf("problem %q, want %q", p, tc.want[i])
				}
			}
		})
	}
}

func TestResolveLanguage(t *testing.T) {
	for _, tc := range []struct {
		lang, text, want string
	}{
		{"en", "안녕하세요", "en"},
		{"ko", "hello", "ko"},
		{"ko-KR", "hello", "ko"},
		{"en_US", "hello", "en"},
		{"auto", "hello", "en"},
		{"auto", "주문 status please", "ko"},
		{"", "hello", "en"},
		{"AUTO", "감사합니다", "ko"},
		{"fr", "bonjour", "fr"},
		{"pt-BR", "olá", "pt-br"},
		{"zh-Hant-TW", "你好", "zh"},
		{"fr-CA", "bonjour", "fr"},
		{"tlh", "nuqneH", ""}, // Klingon: no voice
	} {
		got, err := resolveLanguage(tc.lang, tc.text)
		if got != tc.want || (err != nil) != (tc.want == "") {
			t.Errorf("resolveLanguage(%q, %q) = %q, %v; want %q", tc.lang, tc.text, got, err, tc.want)
		}
	}
}
