package vad

import (
	"math"
	"sync/atomic"
)

// energyParams are the energy detector's constants (see NewEnergy).
type energyParams struct {
	bands         int     // log-spaced bands between lowHz and highHz
	lowHz, highHz float64 // the band speech energy is scored in
	floorDB       float64 // noise floor never assumed below this, dBFS
	noiseAlpha    float64 // noise update rate in windows judged noise
	smooth        float64 // smoothing of the band power the minimum tracks
	minBlocks     int     // the minimum is tracked over minBlocks × blockWindows windows
	blockWindows  int
	ceiling       float64 // the noise estimate is at most this times that minimum
	threshold     float64 // mean log likelihood ratio scored as p = 0.5
	slope         float64 // logistic slope around it
	release       float64 // per-window decay of the probability after speech
}

var defaultEnergy = energyParams{
	bands: 16, lowHz: 150, highHz: 6000, floorDB: -70,
	noiseAlpha: 0.1, smooth: 0.6, minBlocks: 6, blockWindows: 8, ceiling: 4,
	threshold: 0.6, slope: 4, release: 0.8,
}

// energyModel holds what its streams share: parameters and tables.
type energyModel struct {
	p      energyParams
	fft    *fft
	hann   []float32
	norm   float32 // 1/Σw², so a band's power is the noise variance for white noise
	edges  []int   // FFT bin ranges of the bands: band b is [edges[b], edges[b+1])
	floor  float64
	closed atomic.Bool
}

var _ Model = (*energyModel)(nil)

// NewEnergy returns the pure-Go fallback detector. It needs no files and
// costs about 15 µs of CPU per 32 ms window.
//
// Each 512-sample window (the same cadence as Silero) is Hann-windowed and
// split by an FFT into 16 log-spaced bands from 150 Hz to 6 kHz. Per band,
// the noise power is the average of the windows judged to be noise, held
// between the band's minimum over the last 1.5 s and 6 dB above it, and
// never below -70 dBFS. The window's score is the mean over the bands of
// the log likelihood ratio of speech-plus-noise against noise (Sohn et al.
// 1999, a priori SNR estimated as γ-1); a logistic maps it to a
// pseudo-probability, which then decays by 0.8 per window instead of
// dropping at once, to bridge the gaps between syllables.
//
// Limits: it finds energy that stands out of a steady background, not
// speech. Music, a TV, a door or a cough score as speech; noise that gets
// louder scores as speech for up to 1.5 s; after digital silence any faint
// sound does; the first window is taken for noise, so speech at the very
// start of a stream is partly missed until its first pause (up to 1.5 s).
// In white noise it is close to Silero; in pink noise at 0 dB and in any
// changing noise it is much worse. Prefer Silero.
func NewEnergy() Model { return newEnergyModel(defaultEnergy) }

func newEnergyModel(p energyParams) *energyModel {
	m := &energyModel{p: p, fft: newFFT(WindowSamples), hann: make([]float32, WindowSamples)}
	var sum float64
	for i := range m.hann {
		w := 0.5 - 0.5*math.Cos(2*math.Pi*float64(i)/WindowSamples)
		m.hann[i] = float32(w)
		sum += w * w
	}
	m.norm = float32(1 / sum)
	binHz := float64(SampleRate) / WindowSamples
	for b := 0; b <= p.bands; b++ {
		hz := p.lowHz * math.Pow(p.highHz/p.lowHz, float64(b)/float64(p.bands))
		e := int(math.Round(hz / binHz))
		if b > 0 {
			e = max(e, m.edges[b-1]+1)
		}
		m.edges = append(m.edges, e)
	}
	m.floor = math.Pow(10, p.floorDB/10)
	return m
}

// NewStream returns a stream with a fresh noise estimate.
func (m *energyModel) NewStream() (Stream, error) {
	if m.closed.Load() {
		return nil, ErrClosed
	}
	b := m.p.bands
	s := &energyStream{
		m:     m,
		probs: make([]float32, 0, 4),
		power: make([]float64, b), noise: make([]float64, b), smooth: make([]float64, b),
		cur: make([]float64, b), mins: make([]float64, b*m.p.minBlocks),
	}
	return s, nil
}

// Name returns "energy".
func (m *energyModel) Name() string { return "energy" }

// String describes the model.
func (m *energyModel) String() string { return "energy(512@16kHz)" }

// Close makes later NewStream and Write calls fail with ErrClosed; there is
// nothing to free.
func (m *energyModel) Close() error {
	m.closed.Store(true)
	return nil
}
