package agent

import (
	"fmt"
	"maps"
	"regexp"
	"slices"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/parleyhq/parley/runtime/endpoint"
)

var (
	nameRE   = regexp.MustCompile(`^[a-z0-9][a-z0-9_-]{0,62}$`)
	pluginRE = regexp.MustCompile(`^[a-z0-9][a-z0-9._-]*$`)
)

// maxHistoryTurns is the largest history.max_turns.
const maxHistoryTurns = 1000

type durationRange struct {
	key      string
	min, max time.Duration
}

var (
	endOfTurnSilenceRange  = durationRange{"turn_taking.end_of_turn_silence", 100 * time.Millisecond, 5 * time.Second}
	minSilenceRange        = durationRange{"turn_taking.min_silence", 100 * time.Millisecond, 2 * time.Second}
	maxSilenceRange        = durationRange{"turn_taking.max_silence", 100 * time.Millisecond, 5 * time.Second}
	minSpeechRange         = durationRange{"turn_taking.min_speech", 0, 2 * time.Second}
	maxTurnRange           = durationRange{"turn_taking.max_turn", time.Second, 5 * time.Minute}
	bargeInMinSpeechRange  = durationRange{"turn_taking.barge_in_min_speech", 0, 2 * time.Second}
	backchannelSpeechRange = durationRange{"turn_taking.backchannel.max_speech", 200 * time.Millisecond, 3 * time.Second}
	maxDurationRange       = durationRange{"max_duration", time.Second, 24 * time.Hour}
	silenceTimeoutRange    = durationRange{"silence_timeout", time.Second, time.Hour}
)

// Validate reports every missing required key and every value out of range
// as a *LoadError, or returns nil. Parse and LoadFile already call it; it is
// exported for specs built in code.
func (s *Spec) Validate() error {
	if ps := s.validate(s.File, nil); len(ps) > 0 {
		return &LoadError{File: s.File, Problems: ps}
	}
	return nil
}

// validator collects problems, placing each at its key's line, or at the
// nearest parent's line when the key is absent from the file.
type validator struct {
	file     string
	lines    map[string]int
	problems []Problem
}

func (v *validator) add(key, format string, args ...any) {
	v.problems = append(v.problems, Problem{File: v.file, Key: key, Line: v.line(key), Message: fmt.Sprintf(format, args...)})
}

// present reports whether key is written in the file.
func (v *validator) present(key string) bool {
	_, ok := v.lines[key]
	return ok
}

func (v *validator) line(key string) int {
	for {
		if l, ok := v.lines[key]; ok {
			return l
		}
		if key == "" {
			return 0
		}
		i := strings.LastIndexAny(key, ".[")
		if i < 0 {
			key = ""
		} else {
			key = key[:i]
		}
	}
}

// validate checks s; lines maps key paths to lines (nil when s was not read
// from a file).
func (s *Spec) validate(file string, lines map[string]int) []Problem {
	v := &validator{file: file, lines: lines}

	switch {
	case s.Name == "":
		v.add("name", "is required")
	case !nameRE.MatchString(s.Name):
		v.add("name", "must start with a lower-case letter or digit and hold only a-z, 0-9, '-' and '_', at most 63 characters, not %q", s.Name)
	}
	switch {
	case s.Language == LanguageUnknown:
		v.add("language", "is required (%s)", languageChoices)
	case !s.Language.Valid():
		v.add("language", "must be %s, not %q", languageChoices, string(s.Language))
	}
	switch {
	case s.SystemPrompt == "":
		v.add("system_prompt", "is required")
	case strings.TrimSpace(s.SystemPrompt) == "":
		v.add("system_prompt", "must not be blank")
	}
	if s.History.MaxTurns < 0 || s.History.MaxTurns > maxHistoryTurns {
		v.add("history.max_turns", "must be between 0 and %d, not %d", maxHistoryTurns, s.History.MaxTurns)
	}
	s.Providers.validate(v)
	s.TurnTaking.validate(v)
	// 0 (or absent) means the runtime's default and off respectively.
	if s.MaxDuration != 0 {
		maxDurationRange.check(v, s.MaxDuration)
	}
	if s.SilenceTimeout != 0 {
		silenceTimeoutRange.check(v, s.SilenceTimeout)
	}
	s.validateVariables(v)
	s.validateTools(v)
	s.validateWebhooks(v)
	s.validateTests(v)
	return v.problems
}

func (p Providers) validate(v *validator) {
	if !v.present("providers") && p.STT.isZero() && p.Chat.isZero() && p.TTS.isZero() && p.Sentiment == nil {
		v.add("providers", "is required: set stt, chat and tts")
		return
	}
	p.STT.validate(v, "providers.stt")
	p.Chat.validate(v, "providers.chat")
	p.TTS.validate(v, "providers.tts")
	if p.Sentiment != nil {
		p.Sentiment.validate(v, "providers.sentiment")
	}
}

func (p Provider) isZero() bool { return p.Plugin == "" && p.Options == nil }

func (p Provider) validate(v *validator, key string) {
	switch {
	case p.Plugin != "":
		if !strings.Contains(p.Plugin, "/") && !pluginRE.MatchString(p.Plugin) {
			v.add(key+".plugin", "must be a built-in plugin name (lower-case letters, digits, '.', '-', '_') or a path to a plugin binary containing '/', not %q", p.Plugin)
		}
	case v.present(key + ".plugin"):
		v.add(key+".plugin", "must not be empty")
	case v.present(key) || !p.isZero():
		v.add(key+".plugin", "is required")
	default:
		v.add(key, "is required")
	}
}

// maxBargeInWords bounds turn_taking.barge_in_min_words: more words than
// this is no longer an interruption.
const maxBargeInWords = 20

func (t TurnTaking) validate(v *validator) {
	if t.EndOfTurnSilence != 0 || v.present(endOfTurnSilenceRange.key) {
		endOfTurnSilenceRange.check(v, t.EndOfTurnSilence)
		for _, key := range []string{minSilenceRange.key, maxSilenceRange.key, "turn_taking.eagerness"} {
			if v.present(key) {
				v.add(key, "cannot be combined with turn_taking.end_of_turn_silence (a fixed wait): remove one of them")
			}
		}
	}
	minSilenceRange.check(v, t.MinSilence)
	maxSilenceRange.check(v, t.MaxSilence)
	if t.MaxSilence < t.MinSilence {
		v.add(maxSilenceRange.key, "must not be shorter than turn_taking.min_silence (%s), not %s", short(t.MinSilence), short(t.MaxSilence))
	}
	if !endpoint.Eagerness(t.Eagerness).Valid() {
		v.add("turn_taking.eagerness", "must be low, medium or high, not %q", t.Eagerness)
	}
	minSpeechRange.check(v, t.MinSpeech)
	maxTurnRange.check(v, t.MaxTurn)
	if t.BargeInMinSpeech != nil {
		bargeInMinSpeechRange.check(v, *t.BargeInMinSpeech)
	}
	if t.BargeInMinWords < 0 || t.BargeInMinWords > maxBargeInWords {
		v.add("turn_taking.barge_in_min_words", "must be between 0 and %d, not %d", maxBargeInWords, t.BargeInMinWords)
	}
	t.Backchannel.validate(v)
	if t.MinSpeech >= t.MaxTurn && t.MaxTurn > 0 {
		v.add(minSpeechRange.key, "must be shorter than turn_taking.max_turn (%s), not %s", short(t.MaxTurn), short(t.MinSpeech))
	}
}

// Bounds of turn_taking.backchannel.words.
const (
	maxBackchannelPhrases = 100
	maxBackchannelWords   = 4
	maxBackchannelRunes   = 64
)

func (b Backchannel) validate(v *validator) {
	backchannelSpeechRange.check(v, b.MaxSpeech)
	for _, tag := range slices.Sorted(maps.Keys(b.Words)) {
		key := "turn_taking.backchannel.words." + tag
		if _, err := ParseLanguage(tag); err != nil || tag == string(LanguageAuto) {
			v.add(key, "must be keyed by a BCP-47 language tag such as en or ko, not %q", tag)
			continue
		}
		phrases := b.Words[tag]
		if len(phrases) == 0 || len(phrases) > maxBackchannelPhrases {
			v.add(key, "must list 1 to %d phrases, not %d", maxBackchannelPhrases, len(phrases))
		}
		for i, p := range phrases {
			n := len(strings.Fields(p))
			if n == 0 || n > maxBackchannelWords || utf8.RuneCountInString(p) > maxBackchannelRunes {
				v.add(fmt.Sprintf("%s[%d]", key, i), "must be 1 to %d words and at most %d characters, not %q", maxBackchannelWords, maxBackchannelRunes, p)
			}
		}
	}
}

func (r durationRange) check(v *validator, d Duration) {
	if d.Std() < r.min || d.Std() > r.max {
		v.add(r.key, "must be between %s and %s, not %s", short(Duration(r.min)), short(Duration(r.max)), short(d))
	}
}

// short formats d without trailing zero units ("5m", not "5m0s").
func short(d Duration) string {
	s := d.String()
	if strings.HasSuffix(s, "m0s") {
		s = strings.TrimSuffix(s, "0s")
	}
	if strings.HasSuffix(s, "h0m") {
		s = strings.TrimSuffix(s, "0m")
	}
	return s
}
