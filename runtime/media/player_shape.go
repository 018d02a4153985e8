package media

import "math"

// Gain bounds of Player.SetGain, in dB.
const (
	// MinGainDB is the lowest gain SetGain accepts: -40 dB is a hundredth
	// of the amplitude, quiet under any speech but not silence.
	MinGainDB = -40.0
	// MaxGainDB is the highest gain SetGain accepts: the Player never
	// amplifies (no clipping).
	MaxGainDB = 0.0
)

// fadeMillis is the length of the ramp that fades speech out before a
// pause and in after it: long enough to avoid a click, short enough that
// nothing audible is smeared.
const fadeMillis = 5

// Pause stops the Player taking speech from its queue from the next frame
// on: it sends silent frames instead (RTP timing stays continuous) and
// keeps the queue and its position. The frame before the silence fades out
// over its last 5 ms. Played does not advance while paused, and a paused
// Player with speech queued is not idle, so Idle and WaitIdle keep waiting
// until Resume and the queue drains (or Flush, or Close). Enqueue while
// paused queues as usual. Pause is idempotent; it is a backchannel's pause,
// not a barge-in (that is Flush).
func (p *Player) Pause() {
	p.mu.Lock()
	p.paused = true
	p.mu.Unlock()
}

// Resume continues after Pause from the sample where the speech stopped,
// at the next frame. The samples of the fade-out ramp before the pause are
// played again, fading in: the two ramps' gains add up to one for each
// sample, so no word is lost and neither edge clicks. Resume is idempotent
// and does nothing on a Player that is not paused; a Pause and Resume
// between two frames change nothing.
func (p *Player) Resume() {
	p.mu.Lock()
	p.paused = false
	p.mu.Unlock()
}

// Paused reports whether the Player is paused (Pause was called after the
// last Resume or Flush).
func (p *Player) Paused() bool {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.paused
}

// SetGain sets the gain of the speech (ducking) in dB, from MinGainDB to
// MaxGainDB (0 dB, the default); a value outside is clamped to the nearest
// bound and NaN is taken as 0 dB. The change ramps linearly in amplitude
// over the next speech frame, so there is no step; it applies at once
// while nothing is playing. Flush resets the gain to 0 dB: a ducked reply
// that is dropped must not leave the next one quiet.
func (p *Player) SetGain(db float64) {
	switch {
	case math.IsNaN(db):
		db = MaxGainDB
	case db < MinGainDB:
		db = MinGainDB
	case db > MaxGainDB:
		db = MaxGainDB
	}
	p.mu.Lock()
	p.gainDB = db
	p.gain = float32(math.Pow(10, db/20))
	p.mu.Unlock()
}

// Gain returns the gain SetGain set, in dB (after clamping), toward which
// the speech ramps.
func (p *Player) Gain() float64 {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.gainDB
}

// frameShape is what writeOne decided for one speech frame, applied to
// the Player's state only once the writer took the frame.
type frameShape struct {
	consume int     // queued samples the frame uses up
	fadeOut bool    // the frame fades out for a pause
	gain    float32 // linear gain at the frame's end
}

// shapeLocked shapes the speech frame p.frame, whose first n samples come
// from the queue: the gain ramp from the last frame's gain to the target,
// the fade-in after a pause, or the fade-out before one. A fade-out frame
// leaves its ramp's samples queued, to be replayed fading in on Resume.
func (p *Player) shapeLocked(n int) frameShape {
	s := frameShape{consume: n, gain: p.gain}
	if p.gainNow != 1 || p.gain != 1 {
		rampGain(p.frame[:n], len(p.frame), p.gainNow, p.gain)
	}
	r := min(n, p.fadeLen)
	switch {
	case p.paused:
		// Reached only while the last frame was audible: fade it out.
		s.fadeOut = true
		s.consume = n - r
		f := p.frame[n-r : n]
		for j := range f {
			f[j] = int16(float32(f[j]) * float32(r-1-j) / float32(r))
		}
	case p.fadeIn:
		f := p.frame[:r]
		for j := range f {
			f[j] = int16(float32(f[j]) * float32(j+1) / float32(r))
		}
	}
	return s
}

// rampGain multiplies f by a gain that goes linearly from g0 (before the
// frame) to g1 (at sample frameLen-1); f may be a frame's first part.
func rampGain(f []int16, frameLen int, g0, g1 float32) {
	if g0 == g1 {
		for i, v := range f {
			f[i] = int16(float32(v) * g1)
		}
		return
	}
	d := (g1 - g0) / float32(frameLen)
	for i, v := range f {
		f[i] = int16(float32(v) * (g0 + d*float32(i+1)))
	}
}

// shapedLocked records that the speech frame shaped as s was written (or
// dropped by a failing writer: the caller heard a gap either way). flushed
// is true when a Flush came in between: the queue and the pause are new
// then, only the output's state carries over.
func (p *Player) shapedLocked(s frameShape, flushed bool) {
	p.audible = !s.fadeOut
	if flushed {
		return
	}
	p.gainNow = s.gain
	p.fadeIn = s.fadeOut
}
