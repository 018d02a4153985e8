package main

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"time"

	"go.yaml.in/yaml/v3"

	"github.com/parleyhq/parley/runtime/agent"
)

// variant is one turn_taking setting that -mode taking measures: a fixed
// end-of-turn silence (today's default agent), or the adaptive wait at an
// eagerness.
type variant struct {
	Name      string
	Fixed     time.Duration // end_of_turn_silence; 0 for the adaptive wait
	Eagerness string        // low, medium or high (adaptive only)
}

// The adaptive variants' bounds: the example values, the defaults.
const (
	variantMinSilence = "200ms"
	variantMaxSilence = "1.5s"
)

// variants are the known variants by name, in the order they are run.
var variants = []variant{
	{Name: "fixed700", Fixed: 700 * time.Millisecond},
	{Name: "low", Eagerness: "low"},
	{Name: "medium", Eagerness: "medium"},
	{Name: "high", Eagerness: "high"},
}

// parseVariants reads -variants: names separated by commas.
func parseVariants(s string) ([]variant, error) {
	var out []variant
	seen := map[string]bool{}
	for _, name := range strings.Split(s, ",") {
		name = strings.TrimSpace(name)
		found := false
		for _, v := range variants {
			if v.Name == name {
				if !seen[name] {
					out = append(out, v)
				}
				seen[name], found = true, true
			}
		}
		if !found {
			return nil, fmt.Errorf("-variants: unknown variant %q (known: fixed700, low, medium, high)", name)
		}
	}
	return out, nil
}

// turnTaking sets v's keys in an agent file's turn_taking map, removing
// the other style's.
func (v variant) turnTaking(tt map[string]any) {
	for _, k := range []string{"end_of_turn_silence", "min_silence", "max_silence", "eagerness"} {
		delete(tt, k)
	}
	if v.Fixed > 0 {
		tt["end_of_turn_silence"] = v.Fixed.String()
		return
	}
	tt["min_silence"], tt["max_silence"], tt["eagerness"] = variantMinSilence, variantMaxSilence, v.Eagerness
}

// fakeOverrides are what -mode taking changes in a fake-provider agent:
// a reply long enough to speak over, and the STT's text.
type fakeOverrides struct {
	Reply        string
	CharDuration string
	STTText      string // empty: the agent file's
}

// writeVariant writes the agent file src, with v's turn_taking (and, for
// the fake provider, fake), into dir, and loads it back as the runtime
// will. Relative plugin paths are made absolute: the file moves.
func writeVariant(src, dir string, v variant, fake *fakeOverrides) (*agent.Spec, string, error) {
	data, err := os.ReadFile(src)
	if err != nil {
		return nil, "", err
	}
	var doc map[string]any
	if err := yaml.Unmarshal(data, &doc); err != nil {
		return nil, "", fmt.Errorf("%s: %w", src, err)
	}
	if doc == nil {
		return nil, "", fmt.Errorf("%s: empty agent file", src)
	}
	tt, _ := doc["turn_taking"].(map[string]any)
	if tt == nil {
		tt = map[string]any{}
	}
	v.turnTaking(tt)
	doc["turn_taking"] = tt
	provs, _ := doc["providers"].(map[string]any)
	for kind, raw := range provs {
		p, ok := raw.(map[string]any)
		if !ok {
			continue
		}
		if path, ok := p["plugin"].(string); ok && strings.Contains(path, "/") && !filepath.IsAbs(path) {
			abs, err := filepath.Abs(filepath.Join(filepath.Dir(src), path))
			if err != nil {
				return nil, "", err
			}
			p["plugin"] = abs
		}
		if fake != nil {
			opts, _ := p["options"].(map[string]any)
			if opts == nil {
				opts = map[string]any{}
			}
			switch {
			case kind == "chat" && fake.Reply != "":
				opts["reply"] = fake.Reply
			case kind == "tts" && fake.CharDuration != "":
				opts["char_duration"] = fake.CharDuration
			case kind == "stt" && fake.STTText != "":
				opts["text"] = fake.STTText
			}
			p["options"] = opts
		}
	}
	out, err := yaml.Marshal(doc)
	if err != nil {
		return nil, "", err
	}
	name, _ := doc["name"].(string)
	if name == "" {
		return nil, "", errors.New(src + ": the agent has no name")
	}
	path := filepath.Join(dir, name+".yaml")
	if err := os.WriteFile(path, out, 0o644); err != nil {
		return nil, "", err
	}
	spec, err := agent.LoadFile(path)
	if err != nil {
		return nil, "", fmt.Errorf("variant %s of %s: %w", v.Name, src, err)
	}
	return spec, path, nil
}

// findAgent returns the file in dirs (in order) that defines agent name.
func findAgent(dirs []string, name string) (string, *agent.Spec, error) {
	for _, dir := range dirs {
		files, err := filepath.Glob(filepath.Join(dir, "*.yaml"))
		if err != nil {
			return "", nil, err
		}
		for _, f := range files {
			s, err := agent.LoadFile(f)
			if err == nil && s.Name == name {
				return f, s, nil
			}
		}
	}
	return "", nil, fmt.Errorf("no valid agent named %q in %s", name, strings.Join(dirs, " or "))
}

// isFake reports whether every provider of s that speaks, hears or
// answers is the fake provider.
func isFake(s *agent.Spec) bool {
	p := s.Providers
	return strings.HasSuffix(p.STT.Plugin, "/fakeprovider") && p.Chat.Plugin == p.STT.Plugin && p.TTS.Plugin == p.STT.Plugin
}
