package turns

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"time"

	"github.com/parleyhq/parley/runtime/audio"
)

// cacheVersion changes whenever Synthesize changes its output for the same
// item, so old cache entries are not read.
const cacheVersion = "turns-2"

// maxCachedDuration bounds what a cache entry may hold when read back.
const maxCachedDuration = time.Minute

// cachedLabels is the JSON file beside a cached clip's WAV file.
type cachedLabels struct {
	ID       string `json:"id"`
	Samples  int    `json:"samples"`
	Speech   Span   `json:"speech"`
	Segments []Span `json:"segments"`
	Pauses   []Span `json:"pauses"`
}

// SynthesizeCached is Synthesize with a cache in dir (created if missing):
// an item whose voice, texts and pauses were spoken before is read back
// from <id>-<key>.wav and .json instead of being spoken again, the key
// being a hash of what the engine reads and of how clips are made. An
// unreadable entry is spoken again and replaced.
func SynthesizeCached(it Item, dir string) (Clip, error) {
	base := filepath.Join(dir, it.ID+"-"+cacheKey(it))
	if clip, err := readCached(it, base); err == nil {
		return clip, nil
	}
	clip, err := Synthesize(it)
	if err != nil {
		return Clip{}, err
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return Clip{}, fmt.Errorf("turns cache: %w", err)
	}
	labels, err := json.Marshal(cachedLabels{it.ID, len(clip.Audio.Samples), clip.Speech, clip.Segments, clip.Pauses})
	if err != nil {
		return Clip{}, fmt.Errorf("turns cache: %w", err)
	}
	// The WAV file first: a JSON file is only there once its WAV file is.
	if err := writeAtomic(base+".wav", audio.EncodeWAV(clip.Audio)); err != nil {
		return Clip{}, err
	}
	if err := writeAtomic(base+".json", labels); err != nil {
		return Clip{}, err
	}
	return clip, nil
}

// cacheKey hashes what makes a clip: the version of this code, the voice,
// each segment's spoken text and pause, Lead and Tail.
func cacheKey(it Item) string {
	h := sha256.New()
	fmt.Fprintf(h, "%s\x00%s\x00%d\x00%d\x00", cacheVersion, it.Voice, Lead, Tail)
	for _, s := range it.Segments {
		fmt.Fprintf(h, "%s\x00%d\x00", s.spoken(), s.Pause)
	}
	return hex.EncodeToString(h.Sum(nil)[:8])
}

// readCached reads the clip at base (.wav and .json) and checks that its
// labels fit its audio.
func readCached(it Item, base string) (Clip, error) {
	data, err := os.ReadFile(base + ".json")
	if err != nil {
		return Clip{}, err
	}
	var l cachedLabels
	if err := json.Unmarshal(data, &l); err != nil {
		return Clip{}, err
	}
	wav, err := os.ReadFile(base + ".wav")
	if err != nil {
		return Clip{}, err
	}
	a, _, err := audio.Decode(wav, "audio/wav", audio.WithMaxDuration(maxCachedDuration))
	if err != nil {
		return Clip{}, err
	}
	clip := Clip{Item: it, Audio: a, Speech: l.Speech, Segments: l.Segments, Pauses: l.Pauses}
	if !labelsFit(clip, l) {
		return Clip{}, errors.New("cached labels do not fit the audio")
	}
	return clip, nil
}

// labelsFit reports whether the labels l describe audio a of item it.
func labelsFit(c Clip, l cachedLabels) bool {
	n := len(c.Audio.Samples)
	ok := l.ID == c.Item.ID && c.Audio.Rate == Rate && n == l.Samples &&
		len(c.Segments) == len(c.Item.Segments) && len(c.Pauses) == len(c.Item.Pauses())
	inside := func(s Span) bool { return 0 <= s.Start && s.Start < s.End && s.End <= n }
	for _, s := range append(append([]Span{c.Speech}, c.Segments...), c.Pauses...) {
		ok = ok && inside(s)
	}
	return ok
}

// writeAtomic writes data to path through a temporary file in its
// directory, so a reader never sees half a file.
func writeAtomic(path string, data []byte) error {
	f, err := os.CreateTemp(filepath.Dir(path), ".tmp-*")
	if err != nil {
		return fmt.Errorf("turns cache: %w", err)
	}
	_, werr := f.Write(data)
	cerr := f.Close()
	if err := errors.Join(werr, cerr); err != nil {
		_ = os.Remove(f.Name())
		return fmt.Errorf("turns cache: %w", err)
	}
	if err := os.Rename(f.Name(), path); err != nil {
		_ = os.Remove(f.Name())
		return fmt.Errorf("turns cache: %w", err)
	}
	return nil
}
