// Command turnset writes the turn-taking test set (test/turns) as WAV
// files to listen to, with its labels: <out>/<id>.wav, <out>/labels.json
// and <out>/labels.csv (times in seconds). `make turnset` runs it into
// bin/turnset.
//
//	go run ./test/turns/cmd/turnset -out bin/turnset [-kind paused] [-lang ko] [-cache DIR]
package main

import (
	"encoding/csv"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"

	"github.com/parleyhq/parley/runtime/audio"
	"github.com/parleyhq/parley/test/turns"
)

// label is one clip's row of labels.json, times in seconds.
type label struct {
	ID          string       `json:"id"`
	Lang        string       `json:"lang"`
	Kind        string       `json:"kind"`
	Tag         string       `json:"tag"`
	Voice       string       `json:"voice"`
	Transcript  string       `json:"transcript"`
	File        string       `json:"file"`
	Duration    float64      `json:"duration"`
	SpeechStart float64      `json:"speechStart"`
	SpeechEnd   float64      `json:"speechEnd"`
	Pauses      [][2]float64 `json:"pauses"`
}

func main() {
	out := flag.String("out", "bin/turnset", "directory for the WAV files and labels")
	kind := flag.String("kind", "", "only items of this kind (finished, paused, backchannel, interruption)")
	lang := flag.String("lang", "", "only items in this language (en, ko)")
	cache := flag.String("cache", "", "cache directory of spoken clips (default: none)")
	flag.Parse()
	if err := run(*out, *kind, *lang, *cache); err != nil {
		fmt.Fprintln(os.Stderr, "turnset:", err)
		os.Exit(1)
	}
}

func run(out, kind, lang, cache string) error {
	set, err := turns.Load()
	if err != nil {
		return err
	}
	var items []turns.Item
	for _, it := range set.All() {
		if (kind == "" || it.Kind.String() == kind) && (lang == "" || it.Lang == lang) {
			items = append(items, it)
		}
	}
	if len(items) == 0 {
		return fmt.Errorf("no items of kind %q and lang %q", kind, lang)
	}
	if err := os.MkdirAll(out, 0o755); err != nil {
		return err
	}
	labels := make([]label, 0, len(items))
	for _, it := range items {
		var clip turns.Clip
		if cache != "" {
			clip, err = turns.SynthesizeCached(it, cache)
		} else {
			clip, err = turns.Synthesize(it)
		}
		if err != nil {
			return err
		}
		file := it.ID + ".wav"
		if err := os.WriteFile(filepath.Join(out, file), audio.EncodeWAV(clip.Audio), 0o644); err != nil {
			return err
		}
		labels = append(labels, labelOf(clip, file))
	}
	if err := writeJSON(filepath.Join(out, "labels.json"), labels); err != nil {
		return err
	}
	if err := writeCSV(filepath.Join(out, "labels.csv"), labels); err != nil {
		return err
	}
	fmt.Printf("%d clips and labels.json, labels.csv in %s\n", len(labels), out)
	return nil
}

func labelOf(c turns.Clip, file string) label {
	sec := func(i int) float64 { return c.Time(i).Seconds() }
	l := label{
		ID: c.Item.ID, Lang: c.Item.Lang, Kind: c.Item.Kind.String(), Tag: c.Item.Tag,
		Voice: c.Item.Voice.String(), Transcript: c.Item.Transcript, File: file,
		Duration: c.Audio.Duration().Seconds(), SpeechStart: sec(c.Speech.Start), SpeechEnd: sec(c.Speech.End),
		Pauses: [][2]float64{},
	}
	for _, p := range c.Pauses {
		l.Pauses = append(l.Pauses, [2]float64{sec(p.Start), sec(p.End)})
	}
	return l
}

func writeJSON(path string, labels []label) error {
	b, err := json.MarshalIndent(labels, "", "  ")
	if err != nil {
		return err
	}
	return os.WriteFile(path, append(b, '\n'), 0o644)
}

// writeCSV writes one row per clip; a paused clip's pause in pause_start,
// pause_end (empty for the other kinds).
func writeCSV(path string, labels []label) error {
	f, err := os.Create(path)
	if err != nil {
		return err
	}
	w := csv.NewWriter(f)
	_ = w.Write([]string{"id", "lang", "kind", "tag", "voice", "file", "duration", "speech_start", "speech_end", "pause_start", "pause_end", "transcript"})
	s := func(v float64) string { return strconv.FormatFloat(v, 'f', 4, 64) }
	for _, l := range labels {
		var ps, pe []string
		for _, p := range l.Pauses {
			ps, pe = append(ps, s(p[0])), append(pe, s(p[1]))
		}
		_ = w.Write([]string{l.ID, l.Lang, l.Kind, l.Tag, l.Voice, l.File, s(l.Duration), s(l.SpeechStart), s(l.SpeechEnd),
			strings.Join(ps, " "), strings.Join(pe, " "), l.Transcript})
	}
	w.Flush()
	return errors.Join(w.Error(), f.Close())
}
