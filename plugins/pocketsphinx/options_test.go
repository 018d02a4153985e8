package main

import (
	"context"
	"runtime"
	"strings"
	"testing"

	"github.com/parleyhq/parley/plugins/internal/sphinx"
	"github.com/parleyhq/parley/runtime/provider"
)

func TestParseOptions(t *testing.T) {
	def := sphinx.DefaultConfig()
	for _, tc := range []struct {
		name    string
		opts    provider.Options
		want    func(*sphinx.Config)
		problem string // substring of the one expected problem
	}{
		{name: "none", opts: nil},
		{name: "model paths", opts: provider.Options{"hmm": def.HMM, "lm": def.LM, "dict": def.Dict}},
		{name: "keywords", opts: provider.Options{"keywords": []any{"refund", "speak to a person"}, "keyword_threshold": 1e-30},
			want: func(c *sphinx.Config) {
				c.Keyphrases = []string{"refund", "speak to a person"}
				c.KeywordThreshold = 1e-30
			}},
		{name: "one keyword", opts: provider.Options{"keywords": "refund"},
			want: func(c *sphinx.Config) { c.Keyphrases = []string{"refund"} }},
		{name: "grammar", opts: provider.Options{"grammar": "#JSGF V1.0; grammar g; public <a> = yes | no;"},
			want: func(c *sphinx.Config) { c.Grammar = "#JSGF V1.0; grammar g; public <a> = yes | no;" }},
		{name: "unknown", opts: provider.Options{"model": "x"}, problem: "options.model: unknown option (known: hmm, lm, dict"},
		{name: "missing file", opts: provider.Options{"lm": "/nonexistent.lm"}, problem: "options.lm: stat /nonexistent.lm"},
		{name: "path type", opts: provider.Options{"dict": 3.0}, problem: "options.dict: must be a path"},
		{name: "keywords type", opts: provider.Options{"keywords": []any{"a", 2.0}}, problem: "options.keywords: must be a list"},
		{name: "empty keywords", opts: provider.Options{"keywords": []any{}}, problem: "options.keywords: must be a list"},
		{name: "threshold range", opts: provider.Options{"keywords": "a", "keyword_threshold": 2.0}, problem: "options.keyword_threshold: must be a number between 0 and 1"},
		{name: "threshold alone", opts: provider.Options{"keyword_threshold": 1e-10}, problem: "only applies with keywords"},
		{name: "empty grammar", opts: provider.Options{"grammar": " "}, problem: "options.grammar: must be the text"},
		{name: "both searches", opts: provider.Options{"grammar": "g", "keywords": "a"}, problem: "cannot be used together with grammar"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			cfg, problems := parseOptions(tc.opts)
			if tc.problem != "" {
				if len(problems) != 1 || !strings.Contains(problems[0].String(), tc.problem) {
					t.Fatalf("problems %v, want one containing %q", problems, tc.problem)
				}
				return
			}
			if len(problems) > 0 {
				t.Fatalf("unexpected problems %v", problems)
			}
			want := sphinx.DefaultConfig()
			if tc.want != nil {
				tc.want(&want)
			}
			if cfg.Key() != want.Key() {
				t.Fatalf("config %+v, want %+v", cfg, want)
			}
		})
	}
}

func TestCheckLanguage(t *testing.T) {
	for _, tc := range []struct {
		lang string
		ok   bool
	}{{"", true}, {"en", true}, {"auto", true}, {"en-US", true}, {"EN", true}, {"ko", false}, {"de", false}, {"eng", true}, {"en-GB", true}, {"en_GB", true}, {"pt-BR", false}} {
		if err := checkLanguage(tc.lang); (err == nil) != tc.ok {
			t.Errorf("checkLanguage(%q) = %v", tc.lang, err)
		}
	}
}

func TestValidateOptions(t *testing.T) {
	r := newTestRecognizer(t)
	for _, tc := range []struct {
		name string
		req  provider.ValidateRequest
		want string // substring of the one problem; "" for none
	}{
		{"defaults", provider.ValidateRequest{Kind: provider.KindSTT, Language: "en"}, ""},
		{"auto", provider.ValidateRequest{Kind: provider.KindSTT, Language: "auto"}, ""},
		{"korean", provider.ValidateRequest{Kind: provider.KindSTT, Language: "ko"}, "pocketsphinx serves English only"},
		{"wrong kind", provider.ValidateRequest{Kind: provider.KindTTS, Language: "en"}, "serves stt, not tts"},
		{"grammar ok", provider.ValidateRequest{Kind: provider.KindSTT, Options: provider.Options{"grammar": "#JSGF V1.0;\ngrammar g;\npublic <a> = yes | no;\n"}}, ""},
		{"grammar broken", provider.ValidateRequest{Kind: provider.KindSTT, Options: provider.Options{"grammar": "yes | no"}}, "options.grammar: load decoder: sphinx: invalid configuration: the JSGF grammar does not compile"},
		{"unknown keyword", provider.ValidateRequest{Kind: provider.KindSTT, Options: provider.Options{"keywords": []any{"refund", "flurbix"}}}, "options.keywords: load decoder: sphinx: invalid configuration: keyphrase words missing from the dictionary: flurbix"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			problems, err := r.ValidateOptions(context.Background(), tc.req)
			if err != nil {
				t.Fatal(err)
			}
			if tc.want == "" {
				if len(problems) > 0 {
					t.Fatalf("unexpected problems %v", problems)
				}
				return
			}
			if len(problems) != 1 || !strings.Contains(problems[0].String(), tc.want) {
				t.Fatalf("problems %v, want one containing %q", problems, tc.want)
			}
		})
	}
}

func TestMaxStreams(t *testing.T) {
	t.Setenv(maxStreamsEnv, "")
	if n, err := maxStreams(); err != nil || n != streamsPerCore*runtime.GOMAXPROCS(0) {
		t.Fatalf("default: %d %v", n, err)
	}
	t.Setenv(maxStreamsEnv, "40")
	if n, err := maxStreams(); err != nil || n != 40 {
		t.Fatalf("override: %d %v", n, err)
	}
	for _, bad := range []string{"0", "-3", "many", "10001"} {
		t.Setenv(maxStreamsEnv, bad)
		if _, err := maxStreams(); err == nil || !strings.Contains(err.Error(), maxStreamsEnv) {
			t.Fatalf("%q: %v", bad, err)
		}
	}
}
