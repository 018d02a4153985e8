package turns

import (
	"fmt"
	"strings"
	"time"
)

// Kind is what an item tests.
type Kind int

// The kinds of items.
const (
	// KindUnknown is the zero Kind.
	KindUnknown Kind = iota
	// Finished is a complete utterance: the agent should answer soon after it.
	Finished
	// Paused is an utterance with one pause at an unfinished point: the
	// agent should wait through the pause and answer at the end.
	Paused
	// Backchannel is a short acknowledgement spoken while the agent talks:
	// it should not stop the agent.
	Backchannel
	// Interruption is a real interruption spoken while the agent talks: it
	// should stop the agent.
	Interruption
)

var kindNames = [...]string{"unknown", "finished", "paused", "backchannel", "interruption"}

// Kinds lists the kinds of items in the order of the set.
var Kinds = []Kind{Finished, Paused, Backchannel, Interruption}

// String returns the name of k as set.yaml writes it.
func (k Kind) String() string {
	if k < 0 || int(k) >= len(kindNames) {
		return fmt.Sprintf("Kind(%d)", int(k))
	}
	return kindNames[k]
}

// parseKind returns the Kind named s, or KindUnknown.
func parseKind(s string) Kind {
	for _, k := range Kinds {
		if k.String() == s {
			return k
		}
	}
	return KindUnknown
}

// tags are the sub-kinds each kind allows (README.md explains them).
var tags = map[Kind][]string{
	Finished:     {"question", "statement", "short-answer"},
	Paused:       {"conjunction", "preposition", "article", "filler", "number", "possessive", "particle", "other"},
	Backchannel:  {"acknowledgement"},
	Interruption: {"stop", "correction", "request"},
}

// Voice is a speech engine and one of its voices, written engine:name in
// set.yaml (flite:slt, espeak:ko).
type Voice struct {
	Engine string
	Name   string
}

// String returns v as set.yaml writes it.
func (v Voice) String() string { return v.Engine + ":" + v.Name }

// voices are the known voices and the language each speaks.
var voices = map[Voice]string{
	{"flite", "slt"}:    "en",
	{"flite", "rms"}:    "en",
	{"flite", "awb"}:    "en",
	{"espeak", "en-us"}: "en",
	{"espeak", "en-gb"}: "en",
	{"espeak", "ko"}:    "ko",
}

// parseVoice returns the known voice written s, and false for any other.
func parseVoice(s string) (Voice, bool) {
	engine, name, ok := strings.Cut(s, ":")
	v := Voice{engine, name}
	_, known := voices[v]
	return v, ok && known
}

// Segment is one piece of an item's speech and the silence after it.
type Segment struct {
	// Text is what the caller says, as a transcript writes it.
	Text string
	// Say is what the engine is given when it differs from Text (a
	// spelling the engine pronounces: "um hum" for "mm-hmm"); empty
	// means Text.
	Say string
	// Pause is the silence after the segment; zero on the last one.
	Pause time.Duration
}

// spoken returns what the engine reads for s.
func (s Segment) spoken() string {
	if s.Say != "" {
		return s.Say
	}
	return s.Text
}

// Item is one utterance of the set.
type Item struct {
	// ID is unique in the set: <lang>-<kind>-<nn>.
	ID string
	// Lang is the language: en or ko.
	Lang string
	// Kind is what the item tests.
	Kind Kind
	// Tag is the sub-kind: for a finished item question, statement or
	// short-answer; for a paused one the word class before the pause.
	Tag string
	// Voice speaks the item.
	Voice Voice
	// Segments are the pieces of speech with the silence between them:
	// one for every kind but Paused, which has two.
	Segments []Segment
	// Transcript is the whole text, the segments' texts joined by spaces.
	Transcript string
}

// Pauses returns the silences between the item's segments, in order.
func (it Item) Pauses() []time.Duration {
	var out []time.Duration
	for _, s := range it.Segments {
		if s.Pause > 0 {
			out = append(out, s.Pause)
		}
	}
	return out
}
