package turns

import (
	"os"
	"path/filepath"
	"slices"
	"testing"
	"time"

	"github.com/parleyhq/parley/internal/espeak"
	"github.com/parleyhq/parley/internal/flite"
)

// needEngines skips under -short when flite or espeak-ng is missing, and
// fails otherwise.
func needEngines(t *testing.T) {
	t.Helper()
	for _, e := range []struct {
		installed bool
		pkg       string
	}{{flite.Installed(), "flite"}, {espeak.Installed(), "espeak-ng"}} {
		if e.installed {
			continue
		}
		if testing.Short() {
			t.Skipf("%s is not installed (Debian package %s)", e.pkg, e.pkg)
		}
		t.Fatalf("%s is not installed: make deps installs it (Debian package %s)", e.pkg, e.pkg)
	}
}

// sample returns the first n items of each kind and language, and the
// first paused item of every voice.
func sample(t *testing.T, n int) []Item {
	set, err := Load()
	if err != nil {
		t.Fatal(err)
	}
	taken := map[string]int{}
	voices := map[Voice]bool{}
	var out []Item
	for _, it := range set.All() {
		key := it.Lang + "/" + it.Kind.String()
		first := it.Kind == Paused && !voices[it.Voice]
		if taken[key] < n || first {
			taken[key]++
			voices[it.Voice] = voices[it.Voice] || it.Kind == Paused
			out = append(out, it)
		}
	}
	return out
}

// TestSynthesize checks the labels of a sample of clips against their
// audio: digital silence outside the speech and in each pause, of exactly
// the configured length; the engine's speech right at every label's edge
// and loud next to it; each segment as long as the engine speaks its text
// alone (so the cut is at the pause, not inside a word).
func TestSynthesize(t *testing.T) {
	needEngines(t)
	for _, it := range sample(t, 2) {
		t.Run(it.ID, func(t *testing.T) {
			c, err := Synthesize(it)
			if err != nil {
				t.Fatal(err)
			}
			checkClip(t, c)
			if it.Kind == Paused {
				checkSplit(t, c)
			}
		})
	}
}

func checkClip(t *testing.T, c Clip) {
	t.Helper()
	s := c.Audio.Samples
	if c.Audio.Rate != Rate {
		t.Fatalf("rate %d", c.Audio.Rate)
	}
	if d := c.Audio.Duration(); d < 500*time.Millisecond || d > 8*time.Second {
		t.Errorf("clip lasts %v", d)
	}
	if c.Speech.Start != samples(Lead) || len(s)-c.Speech.End != samples(Tail) {
		t.Errorf("speech %v in %d samples: want %v of lead and %v of tail", c.Speech, len(s), Lead, Tail)
	}
	if !allZero(s[:c.Speech.Start]) || !allZero(s[c.Speech.End:]) {
		t.Error("not silent before or after the speech")
	}
	pauses := c.Item.Pauses()
	if len(c.Pauses) != len(pauses) || len(c.Segments) != len(c.Item.Segments) {
		t.Fatalf("%d pauses, %d segments for %v", len(c.Pauses), len(c.Segments), c.Item.Segments)
	}
	if c.Segments[0].Start != c.Speech.Start || c.Segments[len(c.Segments)-1].End != c.Speech.End {
		t.Errorf("segments %v do not span the speech %v", c.Segments, c.Speech)
	}
	clipPeak := peak(s)
	if clipPeak < 3000 {
		t.Errorf("peak %d: not speech", clipPeak)
	}
	for i, p := range c.Pauses {
		if p.Len() != samples(pauses[i]) || p.Start != c.Segments[i].End || p.End != c.Segments[i+1].Start {
			t.Errorf("pause %v between segments %v: want %v", p, c.Segments, pauses[i])
		}
		if !allZero(s[p.Start:p.End]) {
			t.Errorf("pause %v is not silent", p)
		}
	}
	for i, seg := range c.Segments {
		d := c.Time(seg.Len())
		if d < 100*time.Millisecond || d > 5*time.Second {
			t.Errorf("segment %d lasts %v", i+1, d)
		}
		// The edges are the engine's first and last speech: above the
		// floor, and loud within 300 ms.
		floor := peak(s[seg.Start:seg.End]) / trimFloor
		if abs(s[seg.Start]) <= floor || abs(s[seg.End-1]) <= floor {
			t.Errorf("segment %d %v: the edge samples %d, %d are not speech", i+1, seg, s[seg.Start], s[seg.End-1])
		}
		w := samples(300 * time.Millisecond)
		if head, tail := peak(s[seg.Start:min(seg.Start+w, seg.End)]), peak(s[max(seg.End-w, seg.Start):seg.End]); head < clipPeak/20 || tail < clipPeak/20 {
			t.Errorf("segment %d: peak %d in its first 300 ms, %d in its last, of %d: not loud", i+1, head, tail, clipPeak)
		}
	}
}

// checkSplit compares each segment's length with the engine's reading of
// its text alone: a cut in the wrong place makes them differ.
func checkSplit(t *testing.T, c Clip) {
	t.Helper()
	for i, seg := range c.Item.Segments {
		alone, err := speak(Item{ID: c.Item.ID, Voice: c.Item.Voice, Segments: []Segment{{Text: seg.Text, Say: seg.Say}}})
		if err != nil {
			t.Fatal(err)
		}
		start, end, err := trim(alone[0].Samples)
		if err != nil {
			t.Fatal(err)
		}
		got, want := c.Time(c.Segments[i].Len()), c.Time(end-start)
		if r := float64(got) / float64(want); r < 0.8 || r > 1.25 {
			t.Errorf("segment %d %q lasts %v, %v when spoken alone", i+1, seg.Text, got, want)
		}
	}
}

func allZero(s []int16) bool {
	return !slices.ContainsFunc(s, func(v int16) bool { return v != 0 })
}

// TestSynthesizeCached checks that a cached clip is read back without the
// engines (PATH emptied) and equals the spoken one, and that a damaged
// entry is spoken again.
func TestSynthesizeCached(t *testing.T) {
	needEngines(t)
	set, err := Load()
	if err != nil {
		t.Fatal(err)
	}
	it := set.Items(Paused)[0]
	dir := filepath.Join(t.TempDir(), "cache")
	first, err := SynthesizeCached(it, dir)
	if err != nil {
		t.Fatal(err)
	}
	checkClip(t, first)
	path := os.Getenv("PATH")
	t.Setenv("PATH", t.TempDir())
	if _, err := Synthesize(it); err == nil {
		t.Fatal("Synthesize without engines on the PATH: no error")
	}
	again, err := SynthesizeCached(it, dir)
	if err != nil {
		t.Fatalf("cached: %v", err)
	}
	if !slices.Equal(again.Audio.Samples, first.Audio.Samples) || again.Speech != first.Speech ||
		!slices.Equal(again.Pauses, first.Pauses) || !slices.Equal(again.Segments, first.Segments) {
		t.Fatal("the cached clip differs from the spoken one")
	}
	// Another item is not in the cache.
	if _, err := SynthesizeCached(set.Items(Finished)[0], dir); err == nil {
		t.Fatal("an item never spoken came from the cache")
	}
	// A damaged entry is spoken again.
	labels, err := filepath.Glob(filepath.Join(dir, it.ID+"-*.json"))
	if err != nil || len(labels) != 1 {
		t.Fatalf("cache files %v, %v", labels, err)
	}
	if err := os.WriteFile(labels[0], []byte(`{"id":"x"}`), 0o644); err != nil {
		t.Fatal(err)
	}
	if _, err := SynthesizeCached(it, dir); err == nil {
		t.Fatal("a damaged entry was read without the engines")
	}
	t.Setenv("PATH", path)
	if c, err := SynthesizeCached(it, dir); err != nil || !slices.Equal(c.Audio.Samples, first.Audio.Samples) {
		t.Fatalf("spoken again: %v", err)
	}
}

func TestTrim(t *testing.T) {
	s := []int16{0, 5, -3, 1000, 0, -800, 9, 10, 0}
	start, end, err := trim(s)
	if err != nil || start != 3 || end != 6 {
		t.Fatalf("trim = %d, %d, %v; want 3, 6", start, end, err)
	}
	if _, _, err := trim(make([]int16, 10)); err == nil {
		t.Fatal("trim of silence: no error")
	}
	runs := quietRuns([]int16{0, 0, 500, 1, 2, 500, 0}, 2)
	if want := []Span{{0, 2}, {3, 5}, {6, 7}}; !slices.Equal(runs, want) {
		t.Fatalf("quietRuns = %v, want %v", runs, want)
	}
}

func TestSSML(t *testing.T) {
	it := Item{Segments: []Segment{{Text: "I want a", Pause: 900 * time.Millisecond}, {Text: "mm-hmm", Say: "um hum"}}}
	if got, want := ssml(it, ","), `<speak>I want a, <break time="900ms"/> um hum</speak>`; got != want {
		t.Fatalf("ssml = %q, want %q", got, want)
	}
}
