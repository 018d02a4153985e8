package turns

import (
	"errors"
	"fmt"
	"strings"

	"github.com/parleyhq/parley/internal/espeak"
	"github.com/parleyhq/parley/internal/flite"
	"github.com/parleyhq/parley/runtime/pcm"
)

// trimFloor is the fraction of a segment's peak at or below which a sample
// at either end of it counts as silence (-40 dB): well under the quietest
// consonant, well over the engines' residual noise and the resampler's
// ringing.
const trimFloor = 100

// Bounds of one trimmed segment: shorter or longer means the engine or
// the split failed.
const (
	minSegment = Rate * 6 / 100 // 60 ms
	maxSegment = Rate * 10      // 10 s
)

// errNoSpeech is returned for an engine output without a loud sample.
var errNoSpeech = errors.New("no speech in the engine's output")

// Synthesize speaks it with its voice and returns the clip: Lead of
// silence, each segment trimmed of the engine's own leading and trailing
// silence, exactly the item's pause between segments, then Tail. The
// engine reads the whole utterance at once, with an SSML break where the
// pause goes, so the pieces keep the phrasing of one sentence; the audio
// is then cut at the break and joined with silence of the exact length.
// It fails when the engine is not installed (the error names its Debian
// package and wraps exec.ErrNotFound).
func Synthesize(it Item) (Clip, error) {
	pieces, err := speak(it)
	if err != nil {
		return Clip{}, fmt.Errorf("synthesize %s: %w", it.ID, err)
	}
	clip := Clip{Item: it, Audio: pcm.Audio{Rate: Rate}}
	out := make([]int16, samples(Lead), samples(Lead)+Rate*4)
	for i, p := range pieces {
		start, end, err := trim(p.Samples)
		if err != nil {
			return Clip{}, fmt.Errorf("synthesize %s: segment %d: %w", it.ID, i+1, err)
		}
		if n := end - start; n < minSegment || n > maxSegment {
			return Clip{}, fmt.Errorf("synthesize %s: segment %d lasts %v of speech: the engine's output or its split is wrong",
				it.ID, i+1, clip.Time(n))
		}
		clip.Segments = append(clip.Segments, Span{len(out), len(out) + end - start})
		out = append(out, p.Samples[start:end]...)
		if pause := it.Segments[i].Pause; pause > 0 {
			clip.Pauses = append(clip.Pauses, Span{len(out), len(out) + samples(pause)})
			out = append(out, make([]int16, samples(pause))...)
		}
	}
	clip.Speech = Span{clip.Segments[0].Start, clip.Segments[len(clip.Segments)-1].End}
	clip.Audio.Samples = append(out, make([]int16, samples(Tail))...)
	return clip, nil
}

// speak returns the engine's audio of each segment of it, at Rate, cut
// where the pauses go but not yet trimmed.
func speak(it Item) ([]pcm.Audio, error) {
	if len(it.Segments) == 0 {
		return nil, errors.New("no segments")
	}
	if len(it.Segments) == 1 {
		var a pcm.Audio
		var err error
		switch it.Voice.Engine {
		case "flite":
			a, err = flite.Speak(it.Voice.Name, it.Segments[0].spoken())
		case "espeak":
			a, err = espeak.Speak(it.Voice.Name, it.Segments[0].spoken())
		default:
			err = fmt.Errorf("unknown engine %q", it.Voice.Engine)
		}
		if err != nil {
			return nil, err
		}
		if a.Rate != Rate {
			return nil, fmt.Errorf("%s gave %d Hz, want %d", it.Voice, a.Rate, Rate)
		}
		return []pcm.Audio{a}, nil
	}
	var cuts []int
	var a pcm.Audio
	var err error
	switch it.Voice.Engine {
	case "flite":
		a, cuts, err = fliteCuts(it)
	case "espeak":
		a, cuts, err = espeakCuts(it)
	default:
		err = fmt.Errorf("unknown engine %q", it.Voice.Engine)
	}
	if err != nil {
		return nil, err
	}
	if a.Rate != Rate {
		return nil, fmt.Errorf("%s gave %d Hz, want %d", it.Voice, a.Rate, Rate)
	}
	pieces := make([]pcm.Audio, 0, len(cuts)+1)
	prev := 0
	for _, c := range append(cuts, len(a.Samples)) {
		pieces = append(pieces, pcm.Audio{Samples: a.Samples[prev:c], Rate: a.Rate})
		prev = c
	}
	return pieces, nil
}

// ssml returns the item as one SSML document with a break at each pause,
// mark written just before it. checkText keeps <, > and & out of the
// texts.
func ssml(it Item, mark string) string {
	var b strings.Builder
	b.WriteString("<speak>")
	for _, s := range it.Segments {
		b.WriteString(s.spoken())
		if s.Pause > 0 {
			fmt.Fprintf(&b, `%s <break time="%dms"/> `, mark, s.Pause.Milliseconds())
		}
	}
	b.WriteString("</speak>")
	return b.String()
}

// fliteCuts has flite read the item with its breaks and returns the audio
// and where to cut it: the middle of each pause phone inside the speech.
// flite makes a break a phrase break of its own length, and the paused
// items have no punctuation before their end, so the inner pauses are
// exactly the breaks.
func fliteCuts(it Item) (pcm.Audio, []int, error) {
	a, phones, err := flite.SpeakSSML(it.Voice.Name, ssml(it, ""))
	if err != nil {
		return pcm.Audio{}, nil, err
	}
	var cuts []int
	for i := 1; i+1 < len(phones); i++ {
		if phones[i].Name == "pau" {
			mid := (phones[i-1].End + phones[i].End) / 2
			cuts = append(cuts, min(samples(mid), len(a.Samples)))
		}
	}
	if want := len(it.Segments) - 1; len(cuts) != want {
		return pcm.Audio{}, nil, fmt.Errorf("flite made %d pauses inside the speech, want %d (one per break)", len(cuts), want)
	}
	return a, cuts, nil
}

// espeakCuts has espeak-ng read the item with its breaks and returns the
// audio and where to cut it: the middle of each quiet run inside the
// speech at least three quarters as long as the shortest pause (espeak-ng
// makes a break silence of its time; its own gaps between words are far
// shorter). A comma before each break gives espeak-ng's rising clause
// tune there, which keeps the pitch at the pause about level (README.md).
func espeakCuts(it Item) (pcm.Audio, []int, error) {
	a, err := espeak.SpeakSSML(it.Voice.Name, ssml(it, ","))
	if err != nil {
		return pcm.Audio{}, nil, err
	}
	shortest := maxSegment
	for _, p := range it.Pauses() {
		shortest = min(shortest, samples(p))
	}
	start, end, err := trim(a.Samples)
	if err != nil {
		return pcm.Audio{}, nil, err
	}
	var cuts []int
	for _, r := range quietRuns(a.Samples[start:end], peak(a.Samples)/trimFloor) {
		if r.Len() >= shortest*3/4 {
			cuts = append(cuts, start+(r.Start+r.End)/2)
		}
	}
	if want := len(it.Segments) - 1; len(cuts) != want {
		return pcm.Audio{}, nil, fmt.Errorf("espeak-ng made %d long silences inside the speech, want %d (one per break)", len(cuts), want)
	}
	return a, cuts, nil
}

// trim returns the span of s from its first to its last sample above the
// floor (its peak / trimFloor).
func trim(s []int16) (start, end int, err error) {
	p := peak(s)
	if p == 0 {
		return 0, 0, errNoSpeech
	}
	floor := p / trimFloor
	start, end = 0, len(s)
	for start < end && abs(s[start]) <= floor {
		start++
	}
	for end > start && abs(s[end-1]) <= floor {
		end--
	}
	return start, end, nil
}

// quietRuns returns the runs of s at or below floor.
func quietRuns(s []int16, floor int) []Span {
	var runs []Span
	in := -1
	for i, v := range s {
		switch quiet := abs(v) <= floor; {
		case quiet && in < 0:
			in = i
		case !quiet && in >= 0:
			runs = append(runs, Span{in, i})
			in = -1
		}
	}
	if in >= 0 {
		runs = append(runs, Span{in, len(s)})
	}
	return runs
}

// peak returns the largest magnitude in s.
func peak(s []int16) int {
	p := 0
	for _, v := range s {
		p = max(p, abs(v))
	}
	return p
}

func abs(v int16) int {
	if v < 0 {
		return -int(v)
	}
	return int(v)
}
