package main

import (
	"fmt"
	"slices"
	"strings"

	"github.com/parleyhq/parley/bench/internal/speech"
	"github.com/parleyhq/parley/runtime/audio"
	"github.com/parleyhq/parley/runtime/pcm"
	"github.com/parleyhq/parley/test/turns"
)

// takeItem is an item of the turn-taking test set (test/turns) ready to be
// said by a caller.
type takeItem struct {
	turns.Item
	// Say is its speech, from the first to the last sample of speech (the
	// clip's lead and tail are left to the caller's own silence), as
	// 48 kHz Opus packets: the first packet's send time is the onset, the
	// last one's the end of the item's speech.
	Say *utterance
}

// parseKinds reads -kinds: kind names separated by commas.
func parseKinds(s string) ([]turns.Kind, error) {
	var out []turns.Kind
	for _, name := range strings.Split(s, ",") {
		name = strings.TrimSpace(name)
		i := slices.IndexFunc(turns.Kinds, func(k turns.Kind) bool { return k.String() == name })
		if i < 0 {
			return nil, fmt.Errorf("-kinds: unknown kind %q (known: finished, paused, backchannel, interruption)", name)
		}
		if !slices.Contains(out, turns.Kinds[i]) {
			out = append(out, turns.Kinds[i])
		}
	}
	return out, nil
}

// selectItems returns the items of each kind in kinds whose language is
// in langs; with perKind above 0, at most perKind of each kind, spread
// evenly over the kind's items (so a short run still mixes the tags,
// voices and languages of the set).
func selectItems(set *turns.Set, kinds []turns.Kind, langs []string, perKind int) []turns.Item {
	var out []turns.Item
	for _, k := range kinds {
		var of []turns.Item
		for _, it := range set.Items(k) {
			if slices.Contains(langs, it.Lang) {
				of = append(of, it)
			}
		}
		out = append(out, spread(of, perKind)...)
	}
	return out
}

// spread returns n of items, evenly spaced, in order; all of them when n
// is 0 or not below len(items).
func spread[T any](items []T, n int) []T {
	if n <= 0 || n >= len(items) {
		return items
	}
	out := make([]T, n)
	for i := range out {
		out[i] = items[i*len(items)/n]
	}
	return out
}

// assign deals items to calls so that every call gets its share of each
// kind (dealt round robin, kind after kind), and says them with the kinds
// interleaved (one of each in turn), so the kinds are spread over the run.
func assign[T any](items []T, kind func(T) turns.Kind, calls int) [][]T {
	calls = max(calls, 1)
	var order []turns.Kind
	dealt := make([]map[turns.Kind][]T, calls)
	for i := range dealt {
		dealt[i] = map[turns.Kind][]T{}
	}
	byKind := map[turns.Kind][]T{}
	for _, it := range items {
		k := kind(it)
		if _, ok := byKind[k]; !ok {
			order = append(order, k)
		}
		byKind[k] = append(byKind[k], it)
	}
	n := 0
	for _, k := range order {
		for _, it := range byKind[k] {
			dealt[n%calls][k] = append(dealt[n%calls][k], it)
			n++
		}
	}
	out := make([][]T, calls)
	for c, mine := range dealt {
		for i := 0; ; i++ {
			more := false
			for _, k := range order {
				if i < len(mine[k]) {
					out[c] = append(out[c], mine[k][i])
					more = true
				}
			}
			if !more {
				break
			}
		}
	}
	return out
}

// prepareItem speaks it (from the cache in dir when it was spoken before)
// and encodes its speech as the caller sends it.
func prepareItem(it turns.Item, dir string) (*takeItem, error) {
	clip, err := turns.SynthesizeCached(it, dir)
	if err != nil {
		return nil, fmt.Errorf("item %s: %w", it.ID, err)
	}
	u, err := encodeSpeech(pcm.Audio{Samples: clip.Audio.Samples[clip.Speech.Start:clip.Speech.End], Rate: clip.Audio.Rate})
	if err != nil {
		return nil, fmt.Errorf("item %s: %w", it.ID, err)
	}
	u.Source = it.ID
	return &takeItem{Item: it, Say: u}, nil
}

// encodeSpeech resamples p to 48 kHz and encodes it as 20 ms Opus packets.
func encodeSpeech(p pcm.Audio) (*utterance, error) {
	if p.Rate != 48000 {
		var err error
		if p, err = audio.Resample(p, 48000); err != nil {
			return nil, err
		}
	}
	frames, err := speech.EncodeOpus(p)
	if err != nil {
		return nil, err
	}
	return &utterance{Frames: frames}, nil
}
