package audio

import (
	"fmt"
	"math"

	"github.com/parleyhq/parley/runtime/pcm"
)

// Limits that keep a Resampler's filter table small (at most 8 MB).
const (
	maxRate   = 768000
	maxPhases = 4096
	maxCoefs  = 1 << 21
)

// Resampler converts mono 16-bit PCM from one rate to another with a
// polyphase Kaiser-windowed sinc filter whose stopband starts at the lower
// Nyquist frequency, so downsampling does not alias. It carries its state
// across Process calls: feeding a signal in chunks of any size gives the
// same samples as feeding it at once. The output is aligned with the input
// (no group delay); the price is a latency of a few milliseconds, held back
// until more input arrives or Flush is called.
//
// A Resampler is not safe for concurrent use.
type Resampler struct {
	from, to int
	l, m     int // upsample by l, downsample by m
	pass     bool
	fir      polyphase
	buf      []float32 // input history followed by pending input
	q        int       // index in buf of the centre input of the next output
	phase    int       // upsampled phase of the next output, in [0, l)
	nIn      int64
	nOut     int64
}

// ResamplerOption tunes the filter of a Resampler.
type ResamplerOption func(*filterSpec)

// WithAttenuation sets the stopband attenuation in dB, from 20 to 180
// (default 80). Higher costs more taps.
func WithAttenuation(db float64) ResamplerOption {
	return func(s *filterSpec) { s.attenuation = db }
}

// WithBandwidth sets the passband edge as a fraction of the lower Nyquist
// frequency, above 0 and below 1 (default 0.9: flat to 7.2 kHz when the
// lower rate is 16 kHz). Wider costs more taps.
func WithBandwidth(fraction float64) ResamplerOption {
	return func(s *filterSpec) { s.bandwidth = fraction }
}

// NewResampler returns a Resampler from rate from to rate to (Hz, 1 to
// 768000). Any rational ratio works (22050 -> 48000 is 320/147) as long as
// the reduced upsampling factor is at most 4096.
func NewResampler(from, to int, opts ...ResamplerOption) (*Resampler, error) {
	if from < 1 || from > maxRate || to < 1 || to > maxRate {
		return nil, fmt.Errorf("resample %d -> %d Hz: %w", from, to, ErrInvalidRate)
	}
	spec := filterSpec{attenuation: 80, bandwidth: 0.9}
	for _, o := range opts {
		o(&spec)
	}
	if !(spec.attenuation >= 20 && spec.attenuation <= 180) {
		return nil, fmt.Errorf("resample: attenuation %v dB is outside [20, 180]", spec.attenuation)
	}
	if !(spec.bandwidth > 0 && spec.bandwidth < 1) {
		return nil, fmt.Errorf("resample: bandwidth %v is outside (0, 1)", spec.bandwidth)
	}
	g := gcd(from, to)
	r := &Resampler{from: from, to: to, l: to / g, m: from / g, pass: from == to}
	if r.pass {
		return r, nil
	}
	if r.l > maxPhases {
		return nil, fmt.Errorf("resample %d -> %d Hz: the ratio %d/%d needs more than %d filter phases (use a common rate such as 8000, 16000, 22050, 44100 or 48000 Hz): %w", from, to, r.l, r.m, maxPhases, ErrInvalidRate)
	}
	if half := filterHalf(from, to, r.l, spec); r.l*(2*half+1) > maxCoefs {
		return nil, fmt.Errorf("resample %d -> %d Hz: filter needs %d coefficients: %w", from, to, r.l*(2*half+1), ErrInvalidRate)
	}
	r.fir = designPolyphase(from, to, r.l, spec)
	r.buf = make([]float32, r.fir.half, r.fir.taps+4096)
	r.q = r.fir.half
	return r, nil
}

// Process resamples in, appends the samples that are ready to out and
// returns the extended slice. Pass out[:0] of a reused buffer with capacity
// for about len(in)*to/from+2 samples and Process does not allocate.
func (r *Resampler) Process(in, out []int16) []int16 {
	if r.pass {
		return append(out, in...)
	}
	for _, s := range in {
		r.buf = append(r.buf, float32(s))
	}
	r.nIn += int64(len(in))
	out = r.drain(out, false)
	r.compact()
	return out
}

// Flush appends the samples still held back, as if the input were followed
// by silence, and returns the extended slice. After Flush the total output
// is ceil(inputs*to/from) samples and the Resampler is reset for a new
// stream.
func (r *Resampler) Flush(out []int16) []int16 {
	if r.pass {
		return out
	}
	for range r.fir.half {
		r.buf = append(r.buf, 0)
	}
	out = r.drain(out, true)
	r.Reset()
	return out
}

// Reset drops all state, so the next Process starts a new stream.
func (r *Resampler) Reset() {
	if r.pass {
		return
	}
	r.buf = r.buf[:r.fir.half]
	clear(r.buf)
	r.q = r.fir.half
	r.phase = 0
	r.nIn, r.nOut = 0, 0
}

// String describes the stage, for example "resample 48000->16000 Hz".
func (r *Resampler) String() string {
	return fmt.Sprintf("resample %d->%d Hz", r.from, r.to)
}

// drain computes every output whose input window is buffered. When
// flushing it stops at the last output that belongs to real input.
func (r *Resampler) drain(out []int16, flushing bool) []int16 {
	half, taps := r.fir.half, r.fir.taps
	for r.q+half < len(r.buf) {
		if flushing && r.nOut*int64(r.m) >= r.nIn*int64(r.l) {
			break
		}
		c := r.fir.coefs[r.phase*taps : (r.phase+1)*taps]
		out = append(out, toInt16(dot(c, r.buf[r.q-half:r.q+half+1])))
		r.nOut++
		r.phase += r.m
		r.q += r.phase / r.l
		r.phase %= r.l
	}
	return out
}

// compact discards input that no future output needs.
func (r *Resampler) compact() {
	drop := min(r.q-r.fir.half, len(r.buf))
	if drop <= 0 {
		return
	}
	n := copy(r.buf, r.buf[drop:])
	r.buf = r.buf[:n]
	r.q -= drop
}

// Resample converts p to rate to in one go (see Resampler). It returns p
// itself when the rate already matches.
func Resample(p pcm.Audio, to int, opts ...ResamplerOption) (pcm.Audio, error) {
	r, err := NewResampler(p.Rate, to, opts...)
	if err != nil {
		return pcm.Audio{}, err
	}
	if r.pass {
		return p, nil
	}
	n := int((int64(len(p.Samples))*int64(r.l) + int64(r.m) - 1) / int64(r.m))
	out := make([]int16, 0, n)
	// Feeding bounded chunks keeps the float buffer small for long inputs.
	const chunk = 1 << 14
	for s := p.Samples; len(s) > 0; {
		k := min(chunk, len(s))
		out = r.Process(s[:k], out)
		s = s[k:]
	}
	return pcm.Audio{Samples: r.Flush(out), Rate: to}, nil
}

// filterHalf returns the half-width, in input samples, of the filter
// designPolyphase builds.
func filterHalf(from, to, l int, spec filterSpec) int {
	fu := float64(from) * float64(l)
	nyq := float64(min(from, to)) / 2
	width := 2 * math.Pi * (1 - spec.bandwidth) * nyq / fu
	n := (spec.attenuation-7.95)/(2.285*width) + 1
	return max(1, int(math.Ceil(n/float64(2*l))))
}

func dot(c, x []float32) float32 {
	x = x[:len(c)]
	var s0, s1, s2, s3 float32
	i := 0
	for ; i+4 <= len(c); i += 4 {
		s0 += c[i] * x[i]
		s1 += c[i+1] * x[i+1]
		s2 += c[i+2] * x[i+2]
		s3 += c[i+3] * x[i+3]
	}
	for ; i < len(c); i++ {
		s0 += c[i] * x[i]
	}
	return (s0 + s1) + (s2 + s3)
}

func toInt16(v float32) int16 {
	switch {
	case v >= math.MaxInt16:
		return math.MaxInt16
	case v <= math.MinInt16:
		return math.MinInt16
	case v < 0:
		return int16(v - 0.5)
	default:
		return int16(v + 0.5)
	}
}

func gcd(a, b int) int {
	for b != 0 {
		a, b = b, a%b
	}
	return a
}
