package main

import (
	"fmt"
	"os"
	"sort"
	"strings"

	"github.com/parleyhq/parley/plugins/internal/sphinx"
	"github.com/parleyhq/parley/runtime/provider"
)

// The options an agent sets under providers.stt.options. All are optional:
//
//	hmm:               acoustic model directory (default /usr/share/pocketsphinx/model/en-us/en-us)
//	lm:                n-gram language model file (default .../en-us.lm.bin)
//	dict:              pronunciation dictionary (default .../cmudict-en-us.dict)
//	keywords:          [phrases] spot only these phrases (keyword search) instead of free dictation
//	keyword_threshold: detection threshold of keywords, 0 < t < 1 (default 1e-20; lower finds more)
//	grammar:           JSGF grammar text (inline YAML block): recognise only what it allows
//
// keywords and grammar exclude each other; either replaces the language
// model, which then is not loaded.
const (
	optHMM              = "hmm"
	optLM               = "lm"
	optDict             = "dict"
	optKeywords         = "keywords"
	optKeywordThreshold = "keyword_threshold"
	optGrammar          = "grammar"
)

var knownOptions = []string{optHMM, optLM, optDict, optKeywords, optKeywordThreshold, optGrammar}

// parseOptions turns an agent's options into a decoder configuration and
// every problem found in them.
func parseOptions(o provider.Options) (sphinx.Config, []provider.OptionProblem) {
	cfg := sphinx.DefaultConfig()
	var problems []provider.OptionProblem
	bad := func(opt, format string, a ...any) {
		problems = append(problems, provider.OptionProblem{Option: opt, Message: fmt.Sprintf(format, a...)})
	}
	for _, k := range sortedKeys(o) {
		v := o[k]
		switch k {
		case optHMM, optLM, optDict:
			s, ok := v.(string)
			if !ok || s == "" {
				bad(k, "must be a path")
				continue
			}
			if _, err := os.Stat(s); err != nil {
				bad(k, "%v", err)
			}
			switch k {
			case optHMM:
				cfg.HMM = s
			case optLM:
				cfg.LM = s
			case optDict:
				cfg.Dict = s
			}
		case optKeywords:
			phrases, ok := stringList(v)
			if !ok || len(phrases) == 0 {
				bad(k, "must be a list of phrases")
				continue
			}
			cfg.Keyphrases = phrases
		case optKeywordThreshold:
			f, ok := v.(float64)
			if !ok || f <= 0 || f >= 1 {
				bad(k, "must be a number between 0 and 1 (exclusive), such as 1e-20")
				continue
			}
			cfg.KeywordThreshold = f
		case optGrammar:
			s, ok := v.(string)
			if !ok || strings.TrimSpace(s) == "" {
				bad(k, "must be the text of a JSGF grammar")
				continue
			}
			cfg.Grammar = s
		default:
			bad(k, "unknown option (known: %s)", strings.Join(knownOptions, ", "))
		}
	}
	if len(cfg.Keyphrases) > 0 && cfg.Grammar != "" {
		bad(optKeywords, "cannot be used together with grammar")
	}
	if cfg.KeywordThreshold != 0 && len(cfg.Keyphrases) == 0 {
		bad(optKeywordThreshold, "only applies with keywords")
	}
	return cfg, problems
}

// stringList reads a list of non-empty strings; one string is a list of
// one.
func stringList(v any) ([]string, bool) {
	switch v := v.(type) {
	case string:
		if strings.TrimSpace(v) == "" {
			return nil, false
		}
		return []string{v}, true
	case []any:
		out := make([]string, 0, len(v))
		for _, e := range v {
			s, ok := e.(string)
			if !ok || strings.TrimSpace(s) == "" {
				return nil, false
			}
			out = append(out, s)
		}
		return out, true
	case []string:
		return v, len(v) > 0
	default:
		return nil, false
	}
}

func sortedKeys(o provider.Options) []string {
	keys := make([]string, 0, len(o))
	for k := range o {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}

// checkLanguage accepts English (en, en-US, en-GB ...), auto (taken as
// English) and the empty language.
func checkLanguage(lang string) error {
	switch provider.BaseLanguage(strings.ToLower(lang)) {
	case "", provider.LanguageAuto, language:
		return nil
	}
	return fmt.Errorf("language %q: pocketsphinx serves English only (use en or auto)", lang)
}
