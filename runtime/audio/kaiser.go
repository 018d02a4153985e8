package audio

import "math"

// filterSpec describes the low-pass prototype of a Resampler.
type filterSpec struct {
	attenuation float64 // stopband attenuation in dB
	bandwidth   float64 // passband edge as a fraction of the lower Nyquist frequency
}

// polyphase is a windowed-sinc low-pass split into l phases of taps
// coefficients each; phase r, tap j weighs input q-half+j for the output at
// upsampled time q*l+r.
type polyphase struct {
	l, half, taps int
	coefs         []float32 // l*taps, phase-major
}

// designPolyphase builds the Kaiser-windowed sinc for resampling from rate
// from to rate to, upsampling by l. The stopband starts at the lower of the two Nyquist frequencies
// so that nothing above the target Nyquist folds back when downsampling, and
// nothing above the source Nyquist is imaged when upsampling.
func designPolyphase(from, to, l int, spec filterSpec) polyphase {
	fu := float64(from) * float64(l) // upsampled rate
	nyq := float64(min(from, to)) / 2
	cutoff := (1 + spec.bandwidth) / 2 * nyq / fu // cycles per upsampled sample
	half := filterHalf(from, to, l, spec)
	taps := 2*half + 1
	support := float64(half * l)
	beta := kaiserBeta(spec.attenuation)
	i0beta := besselI0(beta)

	p := polyphase{l: l, half: half, taps: taps, coefs: make([]float32, l*taps)}
	row := make([]float64, taps)
	for r := range l {
		var sum float64
		for j := range taps {
			k := float64(r + (half-j)*l)
			var v float64
			if math.Abs(k) <= support {
				u := k / support
				v = 2 * cutoff * sinc(2*cutoff*k) * besselI0(beta*math.Sqrt(1-u*u)) / i0beta
			}
			row[j] = v
			sum += v
		}
		// Normalising each phase to unit DC gain removes the small
		// phase-to-phase gain ripple that would otherwise modulate a tone.
		for j, v := range row {
			p.coefs[r*taps+j] = float32(v / sum)
		}
	}
	return p
}

// kaiserBeta returns the Kaiser window shape for a stopband attenuation in dB
// (Kaiser's empirical formula).
func kaiserBeta(a float64) float64 {
	switch {
	case a > 50:
		return 0.1102 * (a - 8.7)
	case a >= 21:
		return 0.5842*math.Pow(a-21, 0.4) + 0.07886*(a-21)
	default:
		return 0
	}
}

// besselI0 is the zeroth-order modified Bessel function of the first kind.
func besselI0(x float64) float64 {
	sum, term := 1.0, 1.0
	for k := 1; k < 500; k++ {
		f := x / (2 * float64(k))
		term *= f * f
		sum += term
		if term < sum*1e-16 {
			break
		}
	}
	return sum
}

func sinc(x float64) float64 {
	if x == 0 {
		return 1
	}
	return math.Sin(math.Pi*x) / (math.Pi * x)
}
