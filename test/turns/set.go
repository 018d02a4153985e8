package turns

import (
	"bytes"
	_ "embed"
	"errors"
	"fmt"
	"io"
	"regexp"
	"slices"
	"strings"
	"time"
	"unicode"

	"go.yaml.in/yaml/v3"
)

//go:embed set.yaml
var setYAML []byte

// The bounds of the pause of a Paused item: long enough that a fixed
// silence wait cuts into it, short enough to be a breath mid-sentence.
const (
	MinPause = 500 * time.Millisecond
	MaxPause = 1200 * time.Millisecond
)

// Limits of set.yaml: items, and runes of one segment's text.
const (
	maxItems   = 2000
	maxTextLen = 200
)

// minimums are the least items of each kind the set must hold, in all
// and in Korean (issue 13).
var minimums = map[Kind]struct{ all, ko int }{
	Finished:     {60, 10},
	Paused:       {60, 10},
	Backchannel:  {30, 5},
	Interruption: {20, 3},
}

// Set is the turn-taking test set: its items in file order.
type Set struct {
	items []Item
}

// Load parses and validates the embedded set.yaml: every item's fields,
// pause bounds, known voices, unique ids, and the counts per kind and
// language. An error wraps ErrInvalidSet and names the items at fault.
func Load() (*Set, error) {
	return parse(setYAML, true)
}

// All returns every item in file order.
func (s *Set) All() []Item {
	return append([]Item(nil), s.items...)
}

// Items returns the items of kind in file order.
func (s *Set) Items(kind Kind) []Item {
	var out []Item
	for _, it := range s.items {
		if it.Kind == kind {
			out = append(out, it)
		}
	}
	return out
}

// Item returns the item with id.
func (s *Set) Item(id string) (Item, bool) {
	for _, it := range s.items {
		if it.ID == id {
			return it, true
		}
	}
	return Item{}, false
}

type rawSet struct {
	Items []rawItem `yaml:"items"`
}

type rawItem struct {
	ID       string       `yaml:"id"`
	Lang     string       `yaml:"lang"`
	Kind     string       `yaml:"kind"`
	Tag      string       `yaml:"tag"`
	Voice    string       `yaml:"voice"`
	Text     string       `yaml:"text"`
	Say      string       `yaml:"say"`
	Segments []rawSegment `yaml:"segments"`
}

type rawSegment struct {
	Text  string `yaml:"text"`
	Say   string `yaml:"say"`
	Pause string `yaml:"pause"`
}

var idPattern = regexp.MustCompile(`^[a-z0-9]+(-[a-z0-9]+)*$`)

// parse decodes data strictly (unknown keys are errors) and validates
// every item; counts also checks the minimums per kind and language.
func parse(data []byte, counts bool) (*Set, error) {
	dec := yaml.NewDecoder(bytes.NewReader(data))
	dec.KnownFields(true)
	var raw rawSet
	if err := dec.Decode(&raw); err != nil {
		if errors.Is(err, io.EOF) {
			return nil, fmt.Errorf("%w: the file is empty: want a list of items", ErrInvalidSet)
		}
		return nil, fmt.Errorf("%w: %w", ErrInvalidSet, err)
	}
	if len(raw.Items) == 0 {
		return nil, fmt.Errorf("%w: no items", ErrInvalidSet)
	}
	if len(raw.Items) > maxItems {
		return nil, fmt.Errorf("%w: %d items, at most %d", ErrInvalidSet, len(raw.Items), maxItems)
	}
	var problems []string
	set := &Set{}
	ids := map[string]bool{}
	texts := map[string]string{} // lang/kind/normalised transcript -> id
	for i, r := range raw.Items {
		it, errs := r.item()
		name := it.ID
		if name == "" {
			name = fmt.Sprintf("#%d", i+1)
		}
		if ids[it.ID] && it.ID != "" {
			errs = append(errs, "id is used by an earlier item")
		}
		ids[it.ID] = true
		key := it.Lang + "/" + it.Kind.String() + "/" + normalise(it.Transcript)
		if other, ok := texts[key]; ok && len(errs) == 0 {
			errs = append(errs, fmt.Sprintf("same %s text as %s", it.Kind, other))
		}
		texts[key] = name
		for _, e := range errs {
			problems = append(problems, fmt.Sprintf("item %s: %s", name, e))
		}
		set.items = append(set.items, it)
	}
	if counts && len(problems) == 0 {
		problems = append(problems, set.checkCounts()...)
	}
	if len(problems) > 0 {
		return nil, fmt.Errorf("%w: %s", ErrInvalidSet, strings.Join(problems, "; "))
	}
	return set, nil
}

// item converts and checks one item; it returns what it could convert and
// every problem found.
func (r rawItem) item() (Item, []string) {
	it := Item{ID: r.ID, Lang: r.Lang, Kind: parseKind(r.Kind), Tag: r.Tag}
	var errs []string
	bad := func(format string, a ...any) { errs = append(errs, fmt.Sprintf(format, a...)) }
	if !idPattern.MatchString(r.ID) {
		bad("id %q: want lower-case letters, digits and dashes", r.ID)
	}
	if r.Lang != "en" && r.Lang != "ko" {
		bad("lang %q: want en or ko", r.Lang)
	}
	if it.Kind == KindUnknown {
		bad("kind %q: want finished, paused, backchannel or interruption", r.Kind)
	} else if !slices.Contains(tags[it.Kind], r.Tag) {
		bad("tag %q: a %s item's tag is one of %s", r.Tag, it.Kind, strings.Join(tags[it.Kind], ", "))
	}
	v, ok := parseVoice(r.Voice)
	it.Voice = v
	switch {
	case !ok:
		bad("voice %q: want one of %s", r.Voice, knownVoices())
	case voices[v] != r.Lang:
		bad("voice %s speaks %s, the item is %s", v, voices[v], r.Lang)
	}
	segs := r.Segments
	switch {
	case r.Text != "" && len(segs) > 0:
		bad("has both text and segments: use text for one piece, segments for several")
	case r.Text != "":
		segs = []rawSegment{{Text: r.Text, Say: r.Say}}
	case r.Say != "":
		bad("say without text: say goes with text, or inside a segment")
	case len(segs) == 0:
		bad("no text and no segments")
	}
	var texts []string
	for i, s := range segs {
		seg := Segment{Text: strings.TrimSpace(s.Text), Say: strings.TrimSpace(s.Say)}
		if s.Pause != "" {
			d, err := time.ParseDuration(s.Pause)
			if err != nil || d <= 0 {
				bad("segment %d: pause %q: want a duration such as 900ms", i+1, s.Pause)
			}
			seg.Pause = d
		}
		errs = append(errs, checkText(i+1, seg.Text)...)
		if seg.Say != "" {
			errs = append(errs, checkText(i+1, seg.Say)...)
		}
		texts = append(texts, seg.Text)
		it.Segments = append(it.Segments, seg)
	}
	it.Transcript = strings.Join(texts, " ")
	errs = append(errs, it.checkPauses()...)
	return it, errs
}

// checkPauses checks the segments' pauses against the kind: a Paused item
// has two segments and one pause within MinPause-MaxPause, with no
// punctuation before its end (the engines' phrase breaks mark where the
// pause goes); every other kind has one segment.
func (it Item) checkPauses() []string {
	n := len(it.Segments)
	if n == 0 {
		return nil
	}
	var errs []string
	if it.Segments[n-1].Pause != 0 {
		errs = append(errs, "the last segment has a pause: pauses go between segments")
	}
	if it.Kind != Paused {
		if n != 1 {
			errs = append(errs, fmt.Sprintf("%d segments: a %s item is one piece of speech", n, it.Kind))
		}
		return errs
	}
	if n != 2 {
		return append(errs, fmt.Sprintf("%d segments: a paused item has two, with one pause between them", n))
	}
	if p := it.Segments[0].Pause; p < MinPause || p > MaxPause {
		errs = append(errs, fmt.Sprintf("pause %v outside %v-%v", p, MinPause, MaxPause))
	}
	for i, s := range it.Segments {
		for _, text := range []string{s.Text, s.spoken()} {
			if i == n-1 {
				text = strings.TrimRight(text, ".?!")
			}
			if strings.ContainsAny(text, ",;:.?!") {
				errs = append(errs, fmt.Sprintf("segment %d %q: a paused item has punctuation only at its end", i+1, text))
				break
			}
		}
	}
	return errs
}

// checkText checks one segment's text: present, short, numbers in words.
func checkText(seg int, text string) []string {
	switch {
	case text == "":
		return []string{fmt.Sprintf("segment %d: no text", seg)}
	case len([]rune(text)) > maxTextLen:
		return []string{fmt.Sprintf("segment %d: %d characters, at most %d", seg, len([]rune(text)), maxTextLen)}
	case strings.ContainsAny(text, "0123456789"):
		return []string{fmt.Sprintf("segment %d %q: write numbers in words, as a caller says them", seg, text)}
	case strings.ContainsAny(text, "<>&\""):
		return []string{fmt.Sprintf("segment %d %q: no <, >, & or \" (the engines read SSML)", seg, text)}
	}
	return nil
}

// checkCounts reports the kinds with fewer items than minimums.
func (s *Set) checkCounts() []string {
	var problems []string
	for _, k := range Kinds {
		all, ko := 0, 0
		for _, it := range s.items {
			if it.Kind == k {
				all++
				if it.Lang == "ko" {
					ko++
				}
			}
		}
		m := minimums[k]
		if all < m.all {
			problems = append(problems, fmt.Sprintf("%d %s items, want at least %d", all, k, m.all))
		}
		if ko < m.ko {
			problems = append(problems, fmt.Sprintf("%d Korean %s items, want at least %d", ko, k, m.ko))
		}
	}
	return problems
}

// normalise returns text in lower case with letters and digits only, to
// compare transcripts.
func normalise(text string) string {
	return strings.Map(func(r rune) rune {
		if unicode.IsLetter(r) || unicode.IsDigit(r) {
			return unicode.ToLower(r)
		}
		return -1
	}, text)
}

func knownVoices() string {
	var names []string
	for v := range voices {
		names = append(names, v.String())
	}
	slices.Sort(names)
	return strings.Join(names, ", ")
}
