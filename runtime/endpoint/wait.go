package endpoint

import (
	"math"
	"time"
)

// Eagerness is how readily an agent takes the turn: high answers sooner
// and cuts into more pauses, low waits longer and cuts into fewer.
type Eagerness string

// Eagerness levels.
const (
	EagernessLow    Eagerness = "low"
	EagernessMedium Eagerness = "medium"
	EagernessHigh   Eagerness = "high"
)

// Valid reports whether e is one of the levels.
func (e Eagerness) Valid() bool {
	return e == EagernessLow || e == EagernessMedium || e == EagernessHigh
}

// bias shifts the combined cue: toward finished for high eagerness.
func (e Eagerness) bias() float64 {
	switch e {
	case EagernessLow:
		return -0.35
	case EagernessHigh:
		return 0.35
	}
	return 0
}

// Signals are the cues at hand when the caller falls silent.
type Signals struct {
	// Text is the transcript's cue (Text); Unknown when there is none yet.
	Text Cue
	// Prosody is the end of the speech (Analyse); its zero value says
	// nothing.
	Prosody Prosody
}

// Weights of the cues: the words say more than the melody.
const (
	textWeight    = 1.2
	prosodyWeight = 0.6
	steepness     = 3.5 // of the logistic curve from cues to finishedness
	typicalRate   = 4.0 // syllables a second of conversational speech
)

// Policy is an agent's end-of-turn wait: MinSilence for an utterance that
// sounds finished, MaxSilence for one that sounds unfinished.
type Policy struct {
	MinSilence, MaxSilence time.Duration
	Eagerness              Eagerness
}

// Finished returns how likely s says the caller is done, in (0, 1).
func (p Policy) Finished(s Signals) float64 {
	score := textWeight*float64(s.Text) + prosodyWeight*float64(s.Prosody.Cue()) + p.Eagerness.bias()
	return 1 / (1 + math.Exp(-steepness*score))
}

// Wait returns the silence after which the turn is taken as over: from
// MinSilence (surely finished) to MaxSilence (surely unfinished). The part
// above MinSilence stretches for a slow speaker and shrinks for a fast one
// (pauses inside a turn scale with the rate of speech), within 0.85-1.25.
func (p Policy) Wait(s Signals) time.Duration {
	span := float64(p.MaxSilence - p.MinSilence)
	if span <= 0 {
		return p.MinSilence
	}
	extra := span * (1 - p.Finished(s))
	if r := s.Prosody.Rate; r > 0 {
		extra *= min(max(typicalRate/r, 0.85), 1.25)
	}
	return p.MinSilence + time.Duration(min(extra, span))
}
