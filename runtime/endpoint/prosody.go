package endpoint

import (
	"math"
	"slices"
	"time"
)

// Prosody is what the end of an utterance sounds like.
type Prosody struct {
	// Pitched is whether enough of the end was voiced to tell its pitch.
	Pitched bool
	// PitchSlope is the pitch's trend over the last voiced stretch (up to
	// 300 ms), in semitones a second: negative falls.
	PitchSlope float64
	// EnergySlope is the loudness trend over the last 300 ms of speech, in
	// dB a second: negative fades.
	EnergySlope float64
	// Held is how long the last syllable is held at a level pitch and
	// loudness ("sooo", "uhhh"): a hesitation, not an ending.
	Held time.Duration
	// Rate is the speech rate over the audio analysed, in syllables a
	// second; 0 when it could not be told.
	Rate float64
}

// Analysis frames: 30 ms every 10 ms, on audio halved to 8 kHz.
const (
	hop        = 10 * time.Millisecond
	tailSpan   = 300 * time.Millisecond // the end whose trends are read
	minPitched = 5                      // voiced frames needed for a pitch slope
	minF0      = 70                     // Hz
	maxF0      = 400                    // Hz
	voicing    = 0.5                    // normalised autocorrelation of a voiced frame
	quietDB    = 30.0                   // frames this far below the loudest are silence
	silentDB   = -60.0                  // dBFS: audio never louder than this is silence
	maxAnalyse = 3 * time.Second
)

// frame is one analysis frame.
type frame struct {
	db     float64 // loudness, dB relative to full scale
	voiced bool
	semi   float64 // pitch in semitones above 100 Hz, when voiced
}

// Analyse reads the prosody of speech, 16-bit mono audio at rate Hz that
// ends where the caller stopped speaking (its last 3 s are read; 1 s or
// more gives a speech rate). It costs a few milliseconds a second of audio
// and is meant to run once a pause, not once a frame.
func Analyse(speech []int16, rate int) Prosody {
	if rate < 8000 {
		return Prosody{}
	}
	if n := int(int64(rate) * int64(maxAnalyse) / int64(time.Second)); len(speech) > n {
		speech = speech[len(speech)-n:]
	}
	x := toNarrowband(speech, rate)
	frames := analyseFrames(x)
	if len(frames) == 0 {
		return Prosody{}
	}
	// Trailing silence is not part of the speech's end.
	peak := frames[0].db
	for _, f := range frames {
		peak = max(peak, f.db)
	}
	if peak < silentDB {
		return Prosody{}
	}
	end := len(frames)
	for end > 0 && frames[end-1].db < peak-quietDB {
		end--
	}
	frames = frames[:end]
	if len(frames) == 0 {
		return Prosody{}
	}
	var p Prosody
	tail := int(tailSpan / hop)
	p.EnergySlope = slope(frames[max(0, len(frames)-tail):], func(f frame) (float64, bool) { return f.db, true })
	voiced := lastVoicedStretch(frames, tail)
	if len(voiced) >= minPitched {
		p.Pitched = true
		p.PitchSlope = slope(voiced, func(f frame) (float64, bool) { return f.semi, f.voiced })
		p.Held = held(voiced)
	}
	p.Rate = syllableRate(frames, peak)
	return p
}

// narrowRate is the rate the analysis runs at.
const narrowRate = 8000

// toNarrowband resamples to 8 kHz as float samples: pitch lives below
// 1 kHz, and half the samples are a quarter of the autocorrelation's work.
// A box filter over the samples of each output sample is low-pass enough
// for a pitch track.
func toNarrowband(in []int16, rate int) []float64 {
	n := len(in) * narrowRate / rate
	out := make([]float64, n)
	for i := range out {
		from := i * rate / narrowRate
		to := min(max((i+1)*rate/narrowRate, from+1), len(in))
		var s float64
		for _, v := range in[from:to] {
			s += float64(v)
		}
		out[i] = s / float64(to-from) / 32768
	}
	return out
}

// analyseFrames measures loudness and pitch of each frame of x (8 kHz).
func analyseFrames(x []float64) []frame {
	size := narrowRate * 30 / 1000
	step := int(int64(narrowRate) * int64(hop) / int64(time.Second))
	minLag := narrowRate / maxF0
	maxLag := narrowRate / minF0
	// Pad with silence so that the last frames have their lags too.
	x = append(x, make([]float64, maxLag+1)...)
	var out []frame
	r := make([]float64, maxLag+2)
	for start := 0; start+size+maxLag+1 <= len(x); start += step {
		f := frame{db: 10 * math.Log10(energy(x[start:start+size])/float64(size)+1e-12)}
		f.voiced, f.semi = pitch(x[start:start+size+maxLag+1], size, minLag, maxLag, r)
		out = append(out, f)
	}
	return out
}

// pitch finds the period of the first size samples of x by normalised
// autocorrelation: the shortest lag within 85 % of the best, so that a
// period's multiples (an octave down) do not win.
func pitch(x []float64, size, minLag, maxLag int, r []float64) (voiced bool, semi float64) {
	e0 := energy(x[:size])
	if e0 == 0 {
		return false, 0
	}
	best := 0.0
	el := energy(x[minLag : minLag+size]) // of the lagged window, kept running
	for lag := minLag; lag <= maxLag+1 && lag+size <= len(x); lag++ {
		if lag > minLag {
			el += x[lag+size-1]*x[lag+size-1] - x[lag-1]*x[lag-1]
		}
		var c float64
		a, b := x[:size], x[lag:lag+size]
		for i := range a {
			c += a[i] * b[i]
		}
		if el <= 1e-12 {
			r[lag] = 0
			continue
		}
		r[lag] = c / math.Sqrt(e0*el)
		if lag <= maxLag {
			best = max(best, r[lag])
		}
	}
	if best < voicing {
		return false, 0
	}
	for lag := minLag; lag <= maxLag; lag++ {
		if r[lag] < 0.85*best || (lag > minLag && r[lag] < r[lag-1]) || r[lag] < r[lag+1] {
			continue
		}
		// A parabola through the peak and its neighbours places it
		// between samples.
		d := 0.0
		if lag > minLag {
			den := r[lag-1] - 2*r[lag] + r[lag+1]
			if den < 0 {
				d = 0.5 * (r[lag-1] - r[lag+1]) / den
			}
		}
		f0 := narrowRate / (float64(lag) + d)
		return true, 12 * math.Log2(f0/100)
	}
	return false, 0
}

func energy(x []float64) float64 {
	var e float64
	for _, v := range x {
		e += v * v
	}
	return e
}

// lastVoicedStretch returns the voiced frames of the last stretch of the
// final n frames, from the last voiced frame back to a gap of two
// unvoiced frames, with single-frame pitch jumps of more than 5 semitones
// (octave errors) removed.
func lastVoicedStretch(frames []frame, n int) []frame {
	from := max(0, len(frames)-n)
	end := len(frames)
	for end > from && !frames[end-1].voiced {
		end--
	}
	start, gap := end, 0
	for start > from && gap < 2 {
		if frames[start-1].voiced {
			gap = 0
		} else {
			gap++
		}
		start--
	}
	var out []frame
	for _, f := range frames[start:end] {
		if f.voiced {
			out = append(out, f)
		}
	}
	// Octave errors: drop frames far from the stretch's median pitch.
	if len(out) >= 3 {
		semis := make([]float64, len(out))
		for i, f := range out {
			semis[i] = f.semi
		}
		slices.Sort(semis)
		med := semis[len(semis)/2]
		kept := out[:0]
		for _, f := range out {
			if math.Abs(f.semi-med) <= 7 {
				kept = append(kept, f)
			}
		}
		out = kept
	}
	return out
}

// slope is the least-squares slope of v over frames, per second.
func slope(frames []frame, v func(frame) (float64, bool)) float64 {
	var n, st, sv, stt, stv float64
	for i, f := range frames {
		y, ok := v(f)
		if !ok {
			continue
		}
		t := float64(i) * hop.Seconds()
		n++
		st += t
		sv += y
		stt += t * t
		stv += t * y
	}
	den := n*stt - st*st
	if n < 2 || den == 0 {
		return 0
	}
	return (n*stv - st*sv) / den
}

// held is how long the end of the voiced stretch stays within a semitone
// of its last pitch and 6 dB of its last loudness.
func held(voiced []frame) time.Duration {
	last := voiced[len(voiced)-1]
	n := 0
	for i := len(voiced) - 1; i >= 0; i-- {
		if math.Abs(voiced[i].semi-last.semi) > 1 || math.Abs(voiced[i].db-last.db) > 6 {
			break
		}
		n++
	}
	return time.Duration(n) * hop
}

// syllableRate counts syllable nuclei, the peaks of the loudness contour
// that stand 3 dB over the dips on either side, per second of sound. It
// needs a second of sound to say anything.
func syllableRate(frames []frame, peak float64) float64 {
	// Smooth over 3 frames.
	s := make([]float64, len(frames))
	for i := range frames {
		a, b := max(0, i-1), min(len(frames), i+2)
		for _, f := range frames[a:b] {
			s[i] += f.db
		}
		s[i] /= float64(b - a)
	}
	var sounding int
	for _, v := range s {
		if v >= peak-quietDB {
			sounding++
		}
	}
	if time.Duration(sounding)*hop < time.Second {
		return 0
	}
	// Peak picking with 3 dB of hysteresis: a nucleus is a rise of 3 dB
	// from the last dip that falls 3 dB again, loud enough to be speech.
	peaks, rising := 0, false
	lo, hi := s[0], s[0]
	for _, v := range s[1:] {
		if rising {
			hi = max(hi, v)
			if v <= hi-3 {
				if hi >= peak-quietDB+6 {
					peaks++
				}
				rising, lo = false, v
			}
			continue
		}
		lo = min(lo, v)
		if v >= lo+3 {
			rising, hi = true, v
		}
	}
	return float64(peaks) / (time.Duration(sounding) * hop).Seconds()
}

// Cue is how finished the prosody sounds: a pitch and loudness falling
// at the end say finished; a held syllable, or a level pitch, say the
// caller is not done; a rise (a question, or a continuation) leans
// finished only slightly. Unknown without a pitch and a clear fade.
func (p Prosody) Cue() Cue {
	if !p.Pitched {
		if p.EnergySlope <= -30 {
			return LeanFinished / 2
		}
		return Unknown
	}
	level := math.Abs(p.PitchSlope) < 2
	switch {
	case level && p.Held >= 250*time.Millisecond:
		return Unfinished
	case p.PitchSlope <= -6 && p.EnergySlope <= -20:
		return 0.8
	case p.PitchSlope <= -6:
		return 0.6
	case level:
		return -0.3
	case p.PitchSlope >= 6:
		return 0.2
	}
	return Unknown
}
