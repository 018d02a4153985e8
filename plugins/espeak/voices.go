package main

import (
	"math"
	"strings"

	"github.com/parleyhq/parley/plugins/internal/espeakng"
	"github.com/parleyhq/parley/plugins/internal/flite"
)

// defaultVoice speaks when an agent names none.
const defaultVoice = "alloy"

// voiceNames are the voices an agent can name: OpenAI's six, each mapped
// to a distinct sound of each engine.
var voiceNames = []string{"alloy", "echo", "fable", "onyx", "nova", "shimmer"}

// espeakStyle is how a voice sounds with espeak-ng: a variant (f = female,
// m = male timbre) added to the voice of any language but English, an
// English dialect, and its pitch, pitch range and speed.
type espeakStyle struct {
	english string // espeak-ng voice for English
	variant string // added to the language's voice ("ko+f3", "pt-br+f3")
	pitch   int    // 0..100
	rng     int    // 0..100
	rate    int    // words per minute
}

var espeakStyles = map[string]espeakStyle{
	"alloy":   {english: "en-us+f3", variant: "+f3", pitch: 55, rng: 50, rate: 175},
	"echo":    {english: "en-us+m3", variant: "+m3", pitch: 45, rng: 60, rate: 170},
	"fable":   {english: "en-gb-x-rp+m1", variant: "+m1", pitch: 50, rng: 70, rate: 160},
	"onyx":    {english: "en-us+m7", variant: "+m7", pitch: 25, rng: 40, rate: 165},
	"nova":    {english: "en-us+f2", variant: "+f2", pitch: 70, rng: 70, rate: 185},
	"shimmer": {english: "en+f4", variant: "+f4", pitch: 60, rng: 80, rate: 175},
}

// fliteStyle is how a voice sounds with flite: one of its four voices,
// with its pitch scaled and a speed. (Measured mean pitches: slt 165 Hz,
// awb 130, rms 100, kal 95; rms keeps its pitch whatever is asked.)
type fliteStyle struct {
	voice string
	pitch float64 // multiplies the voice's own
	rate  int     // words per minute
}

// fliteStyles has the six names, and flite's own voice names too.
var fliteStyles = map[string]fliteStyle{
	"alloy":   {voice: "slt", pitch: 1, rate: 175},
	"echo":    {voice: "rms", pitch: 1, rate: 175},
	"fable":   {voice: "awb", pitch: 1, rate: 165},
	"onyx":    {voice: "awb", pitch: 0.65, rate: 160}, // rms ignores pitch changes
	"nova":    {voice: "slt", pitch: 1.15, rate: 185},
	"shimmer": {voice: "slt", pitch: 0.9, rate: 165},
	"slt":     {voice: "slt", pitch: 1, rate: 175},
	"rms":     {voice: "rms", pitch: 1, rate: 175},
	"awb":     {voice: "awb", pitch: 1, rate: 175},
	"kal":     {voice: "kal", pitch: 1, rate: 175},
}

// validVoices lists the names an engine accepts, for error messages.
func validVoices(e engine) string {
	names := strings.Join(voiceNames, ", ")
	if e == engineFlite {
		names += " (or flite's own: " + strings.Join(flite.Voices, ", ") + ")"
	}
	return names
}

// espeakVoice is the espeak-ng voice for a voice name, language and the
// agent's options (which override the style's speed and pitch).
func espeakVoice(name, lang string, o options) (espeakng.Voice, bool) {
	st, ok := espeakStyles[orDefault(name)]
	if !ok {
		return espeakng.Voice{}, false
	}
	v := espeakng.Voice{Name: st.english, Rate: st.rate, Pitch: st.pitch, Range: st.rng}
	if lang != langEnglish {
		v.Name = lang + st.variant
	}
	if o.rate > 0 {
		v.Rate = o.rate
	}
	if o.pitch >= 0 {
		v.Pitch = o.pitch
	}
	return v, true
}

// fliteVoice is the flite voice for a voice name and the agent's options;
// pitch 0..100 maps to half to twice the voice's own (50 keeps it).
func fliteVoice(name string, o options) (flite.Voice, bool) {
	st, ok := fliteStyles[orDefault(name)]
	if !ok {
		return flite.Voice{}, false
	}
	v := flite.Voice{Name: st.voice, Rate: st.rate, Pitch: st.pitch}
	if o.rate > 0 {
		v.Rate = o.rate
	}
	if o.pitch >= 0 {
		v.Pitch = math.Pow(2, float64(o.pitch-50)/50)
	}
	return v, true
}

func orDefault(name string) string {
	if name == "" {
		return defaultVoice
	}
	return strings.ToLower(name)
}
