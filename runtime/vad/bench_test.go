package vad

import (
	"math"
	"os"
	"runtime"
	"slices"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"
)

// benchWindow scores one 32 ms window per op of a stream of m, cycling
// through a sentence.
func benchWindow(b *testing.B, m Model) { benchWindowOn(b, m, speech(b, "slt", sentences[0])) }

// benchWindowOn scores one 32 ms window of x per op, cycling through x.
func benchWindowOn(b *testing.B, m Model, x []int16) {
	// Closed at once, not at cleanup: the function runs several times,
	// and open streams change how the batcher waits for a batch.
	s, err := m.NewStream()
	if err != nil {
		b.Fatal(err)
	}
	defer func() { _ = s.Close() }()
	n := len(x) / WindowSamples
	// Process CPU time next to wall time: on a loaded machine the wall
	// time includes waiting for a core. Silero runs on the batcher's
	// thread, so the process's CPU time is the window's cost.
	cpu0 := processCPU(b)
	b.ReportAllocs()
	for i := 0; b.Loop(); i++ {
		w := (i % n) * WindowSamples
		if _, err := s.Write(x[w : w+WindowSamples]); err != nil {
			b.Fatal(err)
		}
	}
	cpu := float64(processCPU(b)-cpu0) / float64(b.N)
	b.ReportMetric(cpu, "cpu-ns/op")
	// Real-time factor: the share of one core a call's VAD takes.
	b.ReportMetric(cpu/32e6, "rtf")
}

// processCPU is the CPU time of the process in nanoseconds.
func processCPU(tb testing.TB) int64 {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		tb.Fatal(err)
	}
	return ru.Utime.Nano() + ru.Stime.Nano()
}

func BenchmarkSileroWindow(b *testing.B) { benchWindow(b, openSileroT(b)) }

func BenchmarkEnergyWindow(b *testing.B) { benchWindow(b, NewEnergy()) }

// BenchmarkGatedWindow scores Silero behind the energy gate on the speech
// of a sentence (every window inside it) and on 10 s of silence at a
// -60 dBFS pink noise floor, where Silero runs on the first 50 windows
// (warm-up, and the energy detector learning the noise) and then on about
// 5% of them: the click where the loop wraps opens the gate.
func BenchmarkGatedWindow(b *testing.B) {
	b.Run("speech", func(b *testing.B) {
		x := speech(b, "slt", sentences[0])
		lab := labels(x)
		first, last := slices.Index(lab, true), len(lab)-1
		for !lab[last] {
			last--
		}
		benchWindowOn(b, gatedT(b, openSileroT(b)), x[first*WindowSamples:(last+1)*WindowSamples])
	})
	b.Run("silence", func(b *testing.B) {
		x := mix(make([]int16, 10*SampleRate), makeNoise(pink, 10*SampleRate, 3), math.Pow(10, -60.0/10)*32768*32768)
		benchWindowOn(b, gatedT(b, openSileroT(b)), x)
	})
}

// BenchmarkSileroCalls scores the windows of many calls at once, each a
// stream on its own goroutine sending a window every 32 ms as a call does
// (the first windows spread over the first 32 ms): cpu-ns/window is what
// one window costs when the batcher scores them together, next to
// BenchmarkSileroWindow's lone window.
func BenchmarkSileroCalls(b *testing.B) {
	m := openSileroT(b)
	x := speech(b, "slt", sentences[0])
	n := len(x) / WindowSamples
	for _, calls := range []int{1, 25, 100} {
		b.Run(strconv.Itoa(calls), func(b *testing.B) {
			const windows = 50 // per call and op: 1.6 s of audio
			b.ReportAllocs()
			cpu0 := processCPU(b)
			for b.Loop() {
				var wg sync.WaitGroup
				for c := range calls {
					wg.Go(func() {
						s, err := m.NewStream()
						if err != nil {
							b.Error(err)
							return
						}
						defer func() { _ = s.Close() }()
						start := time.Now().Add(time.Duration(c) * windowDuration / time.Duration(calls))
						for i := range windows {
							time.Sleep(time.Until(start.Add(time.Duration(i) * windowDuration)))
							w := ((c + i) % n) * WindowSamples
							if _, err := s.Write(x[w : w+WindowSamples]); err != nil {
								b.Error(err)
								return
							}
						}
					})
				}
				wg.Wait()
			}
			cpu := float64(processCPU(b)-cpu0) / float64(b.N*calls*windows)
			b.ReportMetric(cpu, "cpu-ns/window")
			b.ReportMetric(0, "ns/op")
		})
	}
}

const windowDuration = WindowSamples * time.Second / SampleRate

// BenchmarkStreamMemory opens 1000 streams, scores a window on each, and
// reports the Go heap and the process RSS they add, per stream.
func BenchmarkStreamMemory(b *testing.B) {
	for _, name := range []string{"silero", "energy"} {
		b.Run(name, func(b *testing.B) {
			m := NewEnergy()
			if name == "silero" {
				m = openSileroT(b)
			}
			const n = 1000
			window := make([]int16, WindowSamples)
			var heap, rss float64
			for b.Loop() {
				streams := make([]Stream, n)
				runtime.GC()
				var before, after runtime.MemStats
				runtime.ReadMemStats(&before)
				rss0 := rssBytes(b)
				for i := range streams {
					s, err := m.NewStream()
					if err != nil {
						b.Fatal(err)
					}
					if _, err := s.Write(window); err != nil {
						b.Fatal(err)
					}
					streams[i] = s
				}
				runtime.GC()
				runtime.ReadMemStats(&after)
				heap += float64(after.HeapAlloc) - float64(before.HeapAlloc)
				rss += float64(rssBytes(b) - rss0)
				for _, s := range streams {
					_ = s.Close()
				}
			}
			b.ReportMetric(heap/float64(b.N)/n, "heap-B/stream")
			b.ReportMetric(rss/float64(b.N)/n, "rss-B/stream")
		})
	}
}

// rssBytes is the resident set size of the process, from /proc.
func rssBytes(tb testing.TB) int64 {
	data, err := os.ReadFile("/proc/self/statm")
	if err != nil {
		tb.Skip("no /proc/self/statm")
	}
	f := strings.Fields(string(data))
	pages, err := strconv.ParseInt(f[1], 10, 64)
	if err != nil {
		tb.Fatal(err)
	}
	return pages * int64(os.Getpagesize())
}
