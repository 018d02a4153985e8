package pipeline

import (
	"time"

	"github.com/parleyhq/parley/runtime/media"
)

// Sample rate of everything the turn detector counts: the caller's frames
// as media hands them on.
const rate = media.SinkRate

// TurnConfig tunes the turn detector (an agent's turn_taking).
type TurnConfig struct {
	MinSpeech time.Duration // speech shorter than this is not a turn
	// MinSilence and MaxSilence bound the silence after speech that ends
	// the turn; equal for a fixed wait (end_of_turn_silence). When they
	// differ the detector stops at MinSilence (waitDue) for the loop to
	// Decide the wait in between.
	MinSilence, MaxSilence time.Duration
	MaxTurn                time.Duration // a turn longer than this is ended
	// Threshold is the speech probability that starts speech; Release,
	// lower, is the one that keeps it going (hysteresis).
	Threshold, Release float32
}

// turnEvent is what the detector saw in a window or frame.
type turnEvent int

const (
	noEvent       turnEvent = iota
	speechStarted           // speech lasted MinSpeech: a turn is under way (barge-in point)
	turnEnded               // the wait after the turn's speech passed, or MaxTurn reached
	waitDue                 // MinSilence after the speech: Decide the wait (adaptive only)
)

// turnDetector turns VAD windows into turns. Positions are in samples of
// the call's 16 kHz audio since the conversation started.
//
// It decides on two clocks: speech probabilities arrive per VAD window
// (Silero: 32 ms), but the end-of-turn silence is counted in samples from
// where the last speech window's sound ends, and checked on every 20 ms
// frame (Advance) and, between frames, at the wall-clock time the loop
// computes from Due, so a turn ends when its silence has passed, not at
// the next window or frame.
type turnDetector struct {
	cfg TurnConfig

	inSpeech   bool  // in a speech segment (confirmed or not)
	confirmed  bool  // the segment became a turn
	segStart   int64 // first sample of the segment
	speechEnd  int64 // end of the segment's last speech window
	speechTime int64 // samples of speech windows in the segment
	// wait is the silence after speechEnd that ends the turn, once the
	// loop has Decided it; 0 before (the detector stops at MinSilence).
	wait int64
}

func samples(d time.Duration) int64 { return int64(d) * rate / int64(time.Second) }

// Window takes the probability of the window [start, end). voiced is
// where its sound ends (end, or earlier when its tail is quiet; start when
// it has none): a confident window ends the speech there, not at its own
// end, so the window's length is not added to the caller's wait.
func (d *turnDetector) Window(p float32, start, end, voiced int64) turnEvent {
	speech := p >= d.cfg.Threshold || (d.inSpeech && p >= d.cfg.Release)
	if !speech {
		if d.inSpeech && !d.confirmed && end-d.speechEnd > samples(d.cfg.MinSilence) {
			d.inSpeech = false // a noise, not a turn
		}
		return noEvent
	}
	if !d.inSpeech {
		d.inSpeech, d.confirmed = true, false
		d.segStart, d.speechTime = start, 0
		d.speechEnd = max(voiced, start)
	}
	// Only a confident window with sound in it moves the end of speech:
	// the probability of the windows after the last word decays through
	// the release band, and the model can stay confident for a window of
	// silence after the word; counting either as speech would start the
	// end-of-turn silence late (by up to a window).
	if p >= d.cfg.Threshold && voiced > start {
		d.speechEnd = voiced
		d.wait = 0 // a new silence: decided anew
	}
	d.speechTime += end - start
	if !d.confirmed && d.speechTime >= samples(d.cfg.MinSpeech) {
		d.confirmed = true
		return speechStarted
	}
	return noEvent
}

// Advance reports, once pos (the samples heard so far, after a frame)
// reaches the Due position, the end of the turn, or with an adaptive wait
// not yet decided, that it is time to Decide it.
func (d *turnDetector) Advance(pos int64) turnEvent {
	due, ok := d.Due()
	switch {
	case !ok || pos < due:
		return noEvent
	case d.Deciding():
		return waitDue
	}
	d.Reset()
	return turnEnded
}

// Deciding reports whether the turn under way waits for its end-of-turn
// silence to be decided: the wait is adaptive, the speech has not reached
// MaxTurn and no Decide has been made since the speech last ended.
func (d *turnDetector) Deciding() bool {
	return d.confirmed && d.wait == 0 && d.cfg.MaxSilence > d.cfg.MinSilence &&
		d.speechEnd+samples(d.cfg.MinSilence) < d.segStart+samples(d.cfg.MaxTurn)
}

// Decide sets the silence after the speech that ends the turn, within
// MinSilence and MaxSilence.
func (d *turnDetector) Decide(wait time.Duration) {
	d.wait = samples(min(max(wait, d.cfg.MinSilence), d.cfg.MaxSilence))
}

// Due returns the position at which the turn under way ends if no more
// speech comes (the wait after its speech, or MaxTurn after its start,
// whichever is first), or with an adaptive wait not yet decided, the
// position at which to decide it (MinSilence after the speech). ok is false
// when no turn is under way. The loop turns it into a deadline on the wall
// clock, so a turn ends on time between frames, and even when the caller's
// frames stop.
func (d *turnDetector) Due() (pos int64, ok bool) {
	if !d.confirmed {
		return 0, false
	}
	wait := d.wait
	if wait == 0 {
		wait = samples(d.cfg.MinSilence)
	}
	return min(d.speechEnd+wait, d.segStart+samples(d.cfg.MaxTurn)), true
}

// Silence returns the silence the turn under way has waited at pos.
func (d *turnDetector) Silence(pos int64) time.Duration {
	return time.Duration(max(pos-d.speechEnd, 0)) * time.Second / rate
}

// Reset forgets any segment (after the agent hangs up, for example, or
// when the turn's deadline passes between frames).
func (d *turnDetector) Reset() { d.inSpeech, d.confirmed, d.wait = false, false, 0 }
