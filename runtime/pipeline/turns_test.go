package pipeline

import (
	"math"
	"testing"
	"time"
)

// runTurns feeds a speech pattern (one bool per 32 ms window, 512 samples)
// through a detector with 20 ms frames and returns the events with the
// sample position where each fired.
func runTurns(cfg TurnConfig, pattern []bool) (events []turnEvent, at []int64) {
	d := &turnDetector{cfg: cfg}
	const win, frame = 512, 320
	var pos, scored int64
	total := int64(len(pattern)) * win
	for pos < total {
		pos += frame
		for scored+win <= pos {
			p := float32(0.05)
			if pattern[scored/win] {
				p = 0.95
			}
			if e := d.Window(p, scored, scored+win, scored+win); e != noEvent {
				events, at = append(events, e), append(at, scored+win)
			}
			scored += win
		}
		if e := d.Advance(pos); e != noEvent {
			events, at = append(events, e), append(at, pos)
		}
	}
	return events, at
}

func pattern(spec ...any) []bool {
	var out []bool
	for i := 0; i < len(spec); i += 2 {
		n := int(spec[i+1].(time.Duration) / (32 * time.Millisecond))
		for range n {
			out = append(out, spec[i].(bool))
		}
	}
	return out
}

var cfg = TurnConfig{MinSpeech: 200 * time.Millisecond, MinSilence: 700 * time.Millisecond, MaxSilence: 700 * time.Millisecond, MaxTurn: 10 * time.Second, Threshold: 0.5, Release: 0.35}

func TestTurnEndsAfterSilence(t *testing.T) {
	ev, at := runTurns(cfg, pattern(false, 320*time.Millisecond, true, time.Second, false, 1500*time.Millisecond))
	if len(ev) != 2 || ev[0] != speechStarted || ev[1] != turnEnded {
		t.Fatalf("events %v", ev)
	}
	speechEnd := int64(10+31) * 512 // 10 silent windows, then 31 of speech
	eot := at[1] - speechEnd
	if eot < samples(700*time.Millisecond) || eot > samples(700*time.Millisecond)+320 {
		t.Errorf("turn ended %d samples after speech, want 700 ms + at most one frame", eot)
	}
}

func TestShortPauseDoesNotSplitTurn(t *testing.T) {
	ev, _ := runTurns(cfg, pattern(true, 600*time.Millisecond, false, 500*time.Millisecond, true, 600*time.Millisecond, false, time.Second))
	if len(ev) != 2 {
		t.Fatalf("a 500 ms pause split the turn: %v", ev)
	}
	ev, _ = runTurns(cfg, pattern(true, 600*time.Millisecond, false, 900*time.Millisecond, true, 600*time.Millisecond, false, time.Second))
	if len(ev) != 4 {
		t.Fatalf("a 900 ms pause did not split the turn: %v", ev)
	}
}

func TestNoiseShorterThanMinSpeechIsNoTurn(t *testing.T) {
	ev, _ := runTurns(cfg, pattern(true, 128*time.Millisecond, false, time.Second, true, 96*time.Millisecond, false, time.Second))
	if len(ev) != 0 {
		t.Fatalf("noise made events %v", ev)
	}
}

func TestMaxTurnEndsLongSpeech(t *testing.T) {
	c := cfg
	c.MaxTurn = 2 * time.Second
	ev, at := runTurns(c, pattern(true, 5*time.Second))
	if len(ev) < 2 || ev[1] != turnEnded || at[1] > samples(2*time.Second)+320 {
		t.Fatalf("events %v at %v", ev, at)
	}
}

func TestDecayingProbabilityDoesNotDelayTheEnd(t *testing.T) {
	d := &turnDetector{cfg: cfg}
	var pos int64
	var ended int64 = -1
	feed := func(p float32) {
		d.Window(p, pos, pos+512, pos+512)
		pos += 512
		if d.Advance(pos) == turnEnded && ended < 0 {
			ended = pos
		}
	}
	for range 30 {
		feed(0.95)
	}
	lastConfident := pos
	for _, p := range []float32{0.45, 0.4, 0.38} { // the release band: still speech, not its end
		feed(p)
	}
	for range 40 {
		feed(0.05)
	}
	if want := lastConfident + samples(cfg.MinSilence); ended < want || ended > want+512 {
		t.Errorf("turn ended at %d, want %d (+ one window at most)", ended, want)
	}
}

func TestVoicedEndTrimsAQuietTail(t *testing.T) {
	l := &listener{ring: make([]int16, 0, 2048)}
	w := make([]int16, 512)
	for i := range 160 { // 10 ms of sound, then 22 ms of near silence
		w[i] = int16(5000 * math.Sin(float64(i)))
	}
	for i := 160; i < 512; i++ {
		w[i] = int16(i % 3) // -70 dB
	}
	l.pos = 1024
	l.remember(make([]int16, 512))
	l.remember(w)
	if got := l.voicedEnd(512, 1024); got != 512+192 { // the 4 ms block holding the last sound
		t.Errorf("voiced end %d, want %d", got, 512+192)
	}
	loud := make([]int16, 512)
	for i := range loud {
		loud[i] = 4000
	}
	l.pos = 1536
	l.remember(loud)
	if got := l.voicedEnd(1024, 1536); got != 1536 {
		t.Errorf("a window loud to its end ends at %d", got)
	}
}

// TestSilentConfidentWindowDoesNotMoveTheEnd: Silero can stay confident
// for a window after the last word; a window with no sound in it must not
// push the end of speech to its start.
func TestSilentConfidentWindowDoesNotMoveTheEnd(t *testing.T) {
	d := &turnDetector{cfg: cfg}
	var pos int64
	for range 20 {
		d.Window(0.95, pos, pos+512, pos+512)
		pos += 512
	}
	// The last word ends 100 samples into this window.
	d.Window(0.95, pos, pos+512, pos+100)
	soundEnd := pos + 100
	pos += 512
	// Still confident, but silent: its sound ends at its start.
	d.Window(0.9, pos, pos+512, pos)
	due, ok := d.Due()
	if !ok || due != soundEnd+samples(cfg.MinSilence) {
		t.Errorf("turn due at %d (ok %v), want %d: the silence counts from the end of the sound", due, ok, soundEnd+samples(cfg.MinSilence))
	}
}
