package sphinx

import (
	"path/filepath"
	"testing"

	"github.com/parleyhq/parley/runtime/endpoint"
	"github.com/parleyhq/parley/test/turns"
)

// BenchmarkPausedFirstPieces measures the recogniser's share of the
// turn-taking benchmark's false cut-offs: it decodes the words before the
// pause of every English paused item of the test set (test/turns), with
// 200 ms of the pause, in 20 ms frames as a call sends them, and counts
// the pieces whose last partial and whose final the end-of-turn text
// rules do not read as unfinished. On the true words the rules read every
// one as unfinished (runtime/endpoint's TestRulesOnTheTestSet), so each
// one counted is a misheard piece the agent may answer in its pause. It
// is a benchmark, not a test: it takes about half a minute, and the
// figure depends on the models.
//
//	go test -run '^$' -bench PausedFirstPieces -benchtime 1x ./plugins/internal/sphinx/
func BenchmarkPausedFirstPieces(b *testing.B) {
	set, cache, d := turnSetDecoder(b)
	defer d.Close()
	var items []turns.Item
	for _, it := range set.Items(turns.Paused) {
		if it.Lang == "en" {
			items = append(items, it)
		}
	}
	var partials, finals int
	for b.Loop() {
		partials, finals = 0, 0
		for _, it := range items {
			clip, err := turns.SynthesizeCached(it, cache)
			if err != nil {
				b.Fatal(err)
			}
			piece := clip.Audio.Samples[:clip.Pauses[0].Start+turns.Rate/5]
			var partial string
			for i := 0; i < len(piece); i += BlockSamples {
				if err := d.Process(piece[i:min(i+BlockSamples, len(piece))]); err != nil {
					b.Fatal(err)
				}
				if h := d.Hyp(); h != "" {
					partial = h
				}
			}
			final, err := d.End()
			if err != nil {
				b.Fatal(err)
			}
			if err := d.Reset(); err != nil {
				b.Fatal(err)
			}
			p, f := endpoint.Text("en", partial), endpoint.Text("en", final.Text)
			if p >= 0 {
				partials++
			}
			if f >= 0 {
				finals++
			}
			if p >= 0 || f >= 0 {
				b.Logf("%s (%s): %q heard as %q, final %q", it.ID, it.Voice, it.Segments[0].Text, partial, final.Text)
			}
		}
	}
	b.ReportMetric(float64(len(items)), "pieces")
	b.ReportMetric(float64(partials), "partial-not-unfinished")
	b.ReportMetric(float64(finals), "final-not-unfinished")
}

// BenchmarkSpeechOverTheAgent is the recogniser's share of the false
// interruptions: it decodes every English backchannel and interruption of
// the test set whole and counts the acknowledgements whose final the
// runtime's rules would take for an interruption (an interruption cue,
// or more words than a misheard acknowledgement comes out as) and the
// interruptions they would take for an acknowledgement. On the true words
// there are none of either (TestRulesOnTheTestSet).
//
//	go test -run '^$' -bench SpeechOverTheAgent -benchtime 1x ./plugins/internal/sphinx/
func BenchmarkSpeechOverTheAgent(b *testing.B) {
	set, cache, d := turnSetDecoder(b)
	defer d.Close()
	bc := endpoint.NewBackchannels(endpoint.DefaultBackchannels["en"])
	var acks, stops int
	for b.Loop() {
		acks, stops = 0, 0
		for _, it := range append(set.Items(turns.Backchannel), set.Items(turns.Interruption)...) {
			if it.Lang != "en" {
				continue
			}
			clip, err := turns.SynthesizeCached(it, cache)
			if err != nil {
				b.Fatal(err)
			}
			if err := d.Process(clip.Audio.Samples); err != nil {
				b.Fatal(err)
			}
			final, err := d.End()
			if err != nil {
				b.Fatal(err)
			}
			if err := d.Reset(); err != nil {
				b.Fatal(err)
			}
			switch ack := it.Kind == turns.Backchannel; {
			case ack && !bc.Match(final.Text) && !bc.Likely(final.Text):
				acks++
				b.Logf("%s (%s): %q heard as %q: an interruption", it.ID, it.Voice, it.Transcript, final.Text)
			case !ack && bc.Likely(final.Text):
				stops++
				b.Logf("%s (%s): %q heard as %q: an acknowledgement", it.ID, it.Voice, it.Transcript, final.Text)
			}
		}
	}
	b.ReportMetric(float64(acks), "acknowledgements-heard-as-interruptions")
	b.ReportMetric(float64(stops), "interruptions-heard-as-acknowledgements")
}

// turnSetDecoder loads the turn-taking test set, the cache of its spoken
// items and a decoder with the default models (the caller closes it).
func turnSetDecoder(b *testing.B) (*turns.Set, string, *Decoder) {
	b.Helper()
	set, err := turns.Load()
	if err != nil {
		b.Fatal(err)
	}
	cache, err := filepath.Abs("../../../bin/cache/turns")
	if err != nil {
		b.Fatal(err)
	}
	d, err := New(DefaultConfig())
	if err != nil {
		b.Skipf("no pocketsphinx models: %v", err)
	}
	return set, cache, d
}
