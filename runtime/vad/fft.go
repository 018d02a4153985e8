package vad

import (
	"math"
	"math/bits"
)

// fft is an in-place radix-2 complex FFT of one size. Its tables are
// read-only after newFFT, so one fft serves every stream.
type fft struct {
	n      int
	cos    []float32 // cos(2πk/n), k < n/2
	sin    []float32 // sin(2πk/n)
	bitrev []int32
}

func newFFT(n int) *fft {
	f := &fft{n: n, cos: make([]float32, n/2), sin: make([]float32, n/2), bitrev: make([]int32, n)}
	for k := range n / 2 {
		a := 2 * math.Pi * float64(k) / float64(n)
		f.cos[k], f.sin[k] = float32(math.Cos(a)), float32(math.Sin(a))
	}
	shift := bits.UintSize - bits.Len(uint(n-1))
	for i := range n {
		f.bitrev[i] = int32(bits.Reverse(uint(i)) >> shift)
	}
	return f
}

// transform replaces re, im (each of length n) with their forward DFT.
func (f *fft) transform(re, im []float32) {
	re, im = re[:f.n], im[:f.n]
	for i, j := range f.bitrev {
		if int(j) > i {
			re[i], re[j] = re[j], re[i]
			im[i], im[j] = im[j], im[i]
		}
	}
	for size := 2; size <= f.n; size <<= 1 {
		half, step := size/2, f.n/size
		for start := 0; start < f.n; start += size {
			for k := range half {
				wr, wi := f.cos[k*step], -f.sin[k*step]
				a, b := start+k, start+k+half
				tr := re[b]*wr - im[b]*wi
				ti := re[b]*wi + im[b]*wr
				re[b], im[b] = re[a]-tr, im[a]-ti
				re[a], im[a] = re[a]+tr, im[a]+ti
			}
		}
	}
}
