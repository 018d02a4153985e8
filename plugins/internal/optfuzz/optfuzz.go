// Package optfuzz is the fuzz test every plugin runs on its option parser:
// options arrive as JSON from an agent file, so any JSON object must give
// problems or options, never a panic, and the problems must be usable.
package optfuzz

import (
	"context"
	"encoding/json"
	"path/filepath"
	"reflect"
	"slices"
	"strings"
	"testing"
	"time"
	"unicode/utf8"

	"github.com/parleyhq/parley/runtime/agent"
	"github.com/parleyhq/parley/runtime/provider"
)

// UnknownKey is the option Run adds to a valid set to check that it is
// refused by name.
const UnknownKey = "zz_not_an_option"

// maxMessage bounds a problem's message: messages quote values, and a
// megabyte string in an agent file must not become a megabyte log line.
const maxMessage = 1024

// Parser checks options and returns every problem found in them; an error
// means it could not check them at all (never expected here).
type Parser func(provider.Options) ([]provider.OptionProblem, error)

// Validator adapts a plugin's ValidateOptions to a Parser for requests of
// kind, in an agent of this language and voice.
func Validator(v provider.Validator, kind provider.Kind, language, voice string) Parser {
	return func(o provider.Options) ([]provider.OptionProblem, error) {
		return v.ValidateOptions(context.Background(), provider.ValidateRequest{Kind: kind, Options: o, Language: language, Voice: voice})
	}
}

// Problems adapts a parser that only returns problems.
func Problems[T any](parse func(provider.Options) (T, []provider.OptionProblem)) Parser {
	return func(o provider.Options) ([]provider.OptionProblem, error) {
		_, p := parse(o)
		return p, nil
	}
}

// Run adds seeds (each an options object) to f and fuzzes parse with JSON
// objects decoded as the plugin wire decodes them. known lists the
// top-level options parse accepts: every problem is about one of them or
// about a key of the input. It checks that parse does not panic, is
// deterministic, leaves its input alone, answers quickly, writes short
// valid UTF-8 messages, and that an unknown key added to options it
// accepts is refused by name.
func Run(f *testing.F, known []string, parse Parser, seeds ...provider.Options) {
	f.Helper()
	for _, s := range seeds {
		b, err := json.Marshal(s)
		if err != nil {
			f.Fatalf("seed %v: %v", s, err)
		}
		f.Add(b)
	}
	for _, s := range []string{`{}`, `null`, `{"":null}`, `{"a":[]}`} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		var opts provider.Options
		if json.Unmarshal(data, &opts) != nil {
			return
		}
		before, _ := json.Marshal(opts)
		start := time.Now()
		problems, err := parse(opts)
		if err != nil {
			t.Fatalf("options could not be checked: %v", err)
		}
		if d := time.Since(start); d > 2*time.Second {
			t.Errorf("parsing %d bytes of options took %v", len(data), d)
		}
		if after, _ := json.Marshal(opts); string(after) != string(before) {
			t.Fatalf("parse changed its input:\n%s\n%s", before, after)
		}
		if again, _ := parse(opts); !reflect.DeepEqual(problems, again) {
			t.Fatalf("not deterministic:\n%v\n%v", problems, again)
		}
		keys := slices.Clone(known)
		for k := range opts {
			keys = append(keys, k)
		}
		for _, p := range problems {
			if !slices.ContainsFunc(keys, func(k string) bool {
				return p.Option == k || strings.HasPrefix(p.Option, k+".") || strings.HasPrefix(p.Option, k+"[")
			}) {
				t.Errorf("problem %q is about %q, which is neither an option nor in the input", p, p.Option)
			}
			if p.Message == "" || len(p.Message) > maxMessage || !utf8.ValidString(p.Message) {
				t.Errorf("problem with %q has a message of %d bytes (valid UTF-8: %t)", p.Option, len(p.Message), utf8.ValidString(p.Message))
			}
		}
		if len(problems) > 0 {
			return
		}
		withUnknown := provider.Options{UnknownKey: true}
		for k, v := range opts {
			withUnknown[k] = v
		}
		if more, _ := parse(withUnknown); !slices.ContainsFunc(more, func(p provider.OptionProblem) bool { return p.Option == UnknownKey }) {
			t.Errorf("valid options plus %q are accepted or the problem does not name it", UnknownKey)
		}
	})
}

// AgentOptions returns the options given to plugin by the agent files
// shipped in the repository (agents/, docs/examples/agents/, bench/agents/),
// found from a plugin's directory: real inputs for seeds.
func AgentOptions(tb testing.TB, plugin string) []provider.Options {
	tb.Helper()
	var out []provider.Options
	for _, dir := range []string{"../../agents", "../../docs/examples/agents", "../../bench/agents"} {
		files, _ := filepath.Glob(filepath.Join(dir, "*.yaml"))
		for _, file := range files {
			spec, err := agent.LoadFile(file)
			if err != nil {
				continue // example files may need what this machine lacks
			}
			for _, p := range []*agent.Provider{&spec.Providers.STT, &spec.Providers.Chat, &spec.Providers.TTS, spec.Providers.Sentiment} {
				if p != nil && p.Plugin == plugin && len(p.Options) > 0 {
					out = append(out, provider.Options(p.Options))
				}
			}
		}
	}
	return out
}
