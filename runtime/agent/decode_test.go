package agent

import (
	"encoding/json"
	"errors"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
	"time"
)

// TestParseInvalid checks the problem list of every file in testdata/invalid
// against its .golden file.
func TestParseInvalid(t *testing.T) {
	files, err := filepath.Glob("testdata/invalid/*.yaml")
	if err != nil || len(files) == 0 {
		t.Fatalf("no invalid test files: %v", err)
	}
	for _, file := range files {
		t.Run(filepath.Base(file), func(t *testing.T) {
			spec, err := LoadFile(file)
			if err == nil {
				t.Fatalf("loaded %s without error: %+v", file, spec)
			}
			var le *LoadError
			if !errors.As(err, &le) {
				t.Fatalf("error is %T, want *LoadError: %v", err, err)
			}
			if !errors.Is(err, ErrInvalid) {
				t.Errorf("errors.Is(err, ErrInvalid) = false")
			}
			for _, p := range le.Problems {
				if p.File != file {
					t.Errorf("problem names file %q, want %q", p.File, file)
				}
			}
			golden(t, strings.TrimSuffix(file, ".yaml")+".golden", []byte(err.Error()+"\n"))
		})
	}
}

// TestParseValid checks the normalized spec (defaults applied) of every file
// in testdata/valid against its .json golden file.
func TestParseValid(t *testing.T) {
	files, err := filepath.Glob("testdata/valid/*.yaml")
	if err != nil || len(files) == 0 {
		t.Fatalf("no valid test files: %v", err)
	}
	for _, file := range files {
		t.Run(filepath.Base(file), func(t *testing.T) {
			spec, err := LoadFile(file)
			if err != nil {
				t.Fatalf("load: %v", err)
			}
			if !filepath.IsAbs(spec.File) {
				t.Errorf("File = %q, want an absolute path", spec.File)
			}
			if spec.LoadedAt.IsZero() || len(spec.Version) != 12 {
				t.Errorf("LoadedAt = %v, Version = %q: metadata not set", spec.LoadedAt, spec.Version)
			}
			if err := spec.Validate(); err != nil {
				t.Errorf("Validate on a loaded spec: %v", err)
			}
			norm := *spec
			norm.File = file
			norm.LoadedAt = time.Time{}
			got, err := json.MarshalIndent(norm, "", "  ")
			if err != nil {
				t.Fatal(err)
			}
			golden(t, strings.TrimSuffix(file, ".yaml")+".json", append(got, '\n'))
		})
	}
}

func TestParseDefaults(t *testing.T) {
	spec, err := Parse("min.yaml", []byte(minimal("min")))
	if err != nil {
		t.Fatal(err)
	}
	d := Defaults()
	if spec.History != d.History || !reflect.DeepEqual(spec.TurnTaking, d.TurnTaking) {
		t.Errorf("defaults not applied: history %+v turn_taking %+v", spec.History, spec.TurnTaking)
	}
	if spec.Providers.Sentiment != nil {
		t.Errorf("sentiment = %+v, want nil when absent", spec.Providers.Sentiment)
	}

	// Explicit zero values override the defaults.
	spec, err = Parse("zero.yaml", []byte(minimal("zero")+"history: {max_turns: 0}\nturn_taking: {barge_in: false, min_speech: 0s}\n"))
	if err != nil {
		t.Fatal(err)
	}
	if spec.History.MaxTurns != 0 || spec.TurnTaking.BargeIn || spec.TurnTaking.MinSpeech != 0 {
		t.Errorf("explicit zero values lost: %+v %+v", spec.History, spec.TurnTaking)
	}
	if spec.TurnTaking.MaxTurn != d.TurnTaking.MaxTurn {
		t.Errorf("max_turn = %s, want the default %s", spec.TurnTaking.MaxTurn, d.TurnTaking.MaxTurn)
	}
}

func TestLoadFileMissing(t *testing.T) {
	_, err := LoadFile(filepath.Join(t.TempDir(), "nope.yaml"))
	if !errors.Is(err, os.ErrNotExist) {
		t.Fatalf("err = %v, want os.ErrNotExist", err)
	}
}

func TestValidateBuiltSpec(t *testing.T) {
	s := Defaults()
	s.Name = "built"
	s.Language = "french"
	err := s.Validate()
	var le *LoadError
	if !errors.As(err, &le) {
		t.Fatalf("Validate = %v, want *LoadError", err)
	}
	var keys []string
	for _, p := range le.Problems {
		keys = append(keys, p.Key)
	}
	if got, want := strings.Join(keys, ","), "language,system_prompt,providers"; got != want {
		t.Errorf("problem keys = %s, want %s\n%v", got, want, err)
	}
}

// minimal returns the smallest valid agent file named name.
func minimal(name string) string {
	return "name: " + name + `
language: en
system_prompt: You help people.
providers:
  stt: {plugin: pocketsphinx}
  chat: {plugin: scripted}
  tts: {plugin: espeak}
`
}

func TestParseProviderPlacement(t *testing.T) {
	base := "name: x\nlanguage: en\nsystem_prompt: p\n"
	tests := []struct{ providers, want string }{
		{"providers: {}\n", "x.yaml:4: providers.stt: is required\nx.yaml:4: providers.chat: is required\nx.yaml:4: providers.tts: is required"},
		{"providers:\n  stt: {plugin: a}\n  chat: {plugin: b}\n  tts: {plugin: \"\"}\n", "x.yaml:7: providers.tts.plugin: must not be empty"},
		{"providers:\n  stt: {plugin: a}\n  chat: {plugin: b}\n  tts: {plugin: c}\n  sentiment: {}\n", "x.yaml:8: providers.sentiment.plugin: is required"},
		{"providers:\n  stt: {plugin: a}\n  chat: {plugin: b}\n  tts: {options: {x: 1}}\n", "x.yaml:7: providers.tts.plugin: is required"},
		{"providers:\n  stt: {plugin: /opt/stt}\n  chat: {plugin: ./chat}\n  tts: {plugin: Espeak}\n", "x.yaml:7: providers.tts.plugin: must be a built-in plugin name"},
	}
	for _, tt := range tests {
		_, err := Parse("x.yaml", []byte(base+tt.providers))
		if err == nil || !strings.HasPrefix(err.Error(), tt.want) {
			t.Errorf("%s\ngot:\n%v\nwant:\n%s", tt.providers, err, tt.want)
		}
	}
}
