package host

import (
	"errors"
	"fmt"
	"strings"

	"github.com/parleyhq/parley/runtime/agent"
	"github.com/parleyhq/parley/runtime/provider"
)

// Builtin describes a plugin shipped with the runtime.
type Builtin struct {
	Name  string
	Kinds []provider.Kind
	// NeedsOpenAIKey reports whether, with these options, the plugin calls
	// OpenAI itself and so needs OPENAI_API_KEY. A base_url pointing
	// elsewhere (Ollama, llama.cpp, vLLM ...) needs no key; defaultBaseURL
	// is the one used without a base_url option (OPENAI_BASE_URL, empty
	// for OpenAI's).
	NeedsOpenAIKey func(options map[string]any, defaultBaseURL string) bool
}

func openAIUnlessBaseURL(options map[string]any, defaultBaseURL string) bool {
	u, _ := options["base_url"].(string)
	if u == "" {
		u = defaultBaseURL
	}
	return u == "" || strings.Contains(u, "api.openai.com")
}

func never(map[string]any, string) bool { return false }

// builtins are the plugins this repository builds.
var builtins = []Builtin{
	{Name: "openai-stt", Kinds: []provider.Kind{provider.KindSTT}, NeedsOpenAIKey: openAIUnlessBaseURL},
	{Name: "openai-chat", Kinds: []provider.Kind{provider.KindChat}, NeedsOpenAIKey: openAIUnlessBaseURL},
	{Name: "openai-tts", Kinds: []provider.Kind{provider.KindTTS}, NeedsOpenAIKey: openAIUnlessBaseURL},
	{Name: "sentiment", Kinds: []provider.Kind{provider.KindSentiment}, NeedsOpenAIKey: func(o map[string]any, defaultBaseURL string) bool {
		mode, _ := o["mode"].(string)
		return mode == "llm" && openAIUnlessBaseURL(o, defaultBaseURL)
	}},
	{Name: "pocketsphinx", Kinds: []provider.Kind{provider.KindSTT}, NeedsOpenAIKey: never},
	{Name: "espeak", Kinds: []provider.Kind{provider.KindTTS}, NeedsOpenAIKey: never},
	{Name: "scripted", Kinds: []provider.Kind{provider.KindChat}, NeedsOpenAIKey: never},
}

// Lookup returns the built-in plugin with this name.
func Lookup(name string) (Builtin, bool) {
	for _, b := range builtins {
		if b.Name == name {
			return b, true
		}
	}
	return Builtin{}, false
}

// IsPath reports whether a plugin reference names a binary by path (a
// third-party plugin) rather than a built-in by name.
func IsPath(plugin string) bool { return strings.ContainsRune(plugin, '/') }

// Availability returns the check the agent registry runs on every agent: a
// non-nil error, naming every reason, marks the agent unavailable. It is
// AvailabilityAt with OpenAI's own API as the default base URL.
func Availability(haveOpenAIKey bool) func(*agent.Spec) error {
	return AvailabilityAt(haveOpenAIKey, "")
}

// AvailabilityAt is Availability for OpenAI plugins whose base_url
// defaults to defaultBaseURL (the runtime's OPENAI_BASE_URL; empty means
// OpenAI's API, which needs the key).
func AvailabilityAt(haveOpenAIKey bool, defaultBaseURL string) func(*agent.Spec) error {
	return func(s *agent.Spec) error {
		var errs []error
		var needKey []string
		for _, p := range []struct {
			kind provider.Kind
			ref  *agent.Provider
		}{
			{provider.KindSTT, &s.Providers.STT},
			{provider.KindChat, &s.Providers.Chat},
			{provider.KindTTS, &s.Providers.TTS},
			{provider.KindSentiment, s.Providers.Sentiment},
		} {
			if p.ref == nil || p.ref.Plugin == "" || IsPath(p.ref.Plugin) {
				continue
			}
			b, ok := Lookup(p.ref.Plugin)
			switch {
			case !ok:
				errs = append(errs, fmt.Errorf("providers.%s: no built-in plugin named %q (built-ins: %s; or give a path to a plugin binary)", p.kind, p.ref.Plugin, names()))
			case !serves(b, p.kind):
				errs = append(errs, fmt.Errorf("providers.%s: plugin %q does not provide %s", p.kind, b.Name, p.kind))
			case !haveOpenAIKey && b.NeedsOpenAIKey(p.ref.Options, defaultBaseURL):
				needKey = append(needKey, fmt.Sprintf("%s (%s)", p.kind, b.Name))
			}
		}
		if len(needKey) > 0 {
			errs = append(errs, fmt.Errorf("OPENAI_API_KEY is not set; it is needed by providers %s (or point their options.base_url at an OpenAI-compatible server that needs no key)", strings.Join(needKey, ", ")))
		}
		return errors.Join(errs...)
	}
}

func serves(b Builtin, k provider.Kind) bool {
	for _, bk := range b.Kinds {
		if bk == k {
			return true
		}
	}
	return false
}

func names() string {
	n := make([]string, len(builtins))
	for i, b := range builtins {
		n[i] = b.Name
	}
	return strings.Join(n, ", ")
}
