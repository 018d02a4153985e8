package turns

import (
	"time"

	"github.com/parleyhq/parley/runtime/pcm"
)

// Rate is the sample rate of every clip: 16 kHz, the rate of the runtime's
// listening side.
const Rate = 16000

// Lead and Tail are the silence before a clip's first speech and after its
// last, so a voice activity detector sees the onset and the offset.
const (
	Lead = 200 * time.Millisecond
	Tail = 200 * time.Millisecond
)

// Span is a range of samples of a clip: [Start, End).
type Span struct {
	Start int `json:"start"`
	End   int `json:"end"`
}

// Len returns the number of samples in s.
func (s Span) Len() int { return s.End - s.Start }

// Clip is an item spoken: 16 kHz mono audio with labels in samples.
// Silence in a clip (Lead, the pauses, Tail) is digital zero.
type Clip struct {
	Item  Item
	Audio pcm.Audio
	// Speech spans the first to the last sample of speech.
	Speech Span
	// Segments span each segment's speech, in order: the engine's output
	// trimmed of its leading and trailing silence.
	Segments []Span
	// Pauses span the silence between segments, one per pause of the item
	// and exactly as long.
	Pauses []Span
}

// Time returns the time of sample i from the start of the clip.
func (c Clip) Time(i int) time.Duration {
	return time.Duration(i) * time.Second / Rate
}

// samples returns d in samples at Rate.
func samples(d time.Duration) int {
	return int(d * Rate / time.Second)
}
