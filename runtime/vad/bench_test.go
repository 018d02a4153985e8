package vad

import (
	"math"
	"os"
	"runtime"
	"slices"
	"strconv"
	"strings"
	"syscall"
	"testing"
)

// benchWindow scores one 32 ms window per op of a stream of m, cycling
// through a sentence.
func benchWindow(b *testing.B, m Model) { benchWindowOn(b, m, speech(b, "slt", sentences[0])) }

// benchWindowOn scores one 32 ms window of x per op, cycling through x.
func benchWindowOn(b *testing.B, m Model, x []int16) {
	s := newStreamT(b, m)
	n := len(x) / WindowSamples
	// Thread CPU time next to wall time: on a loaded machine the wall time
	// includes waiting for a core. ONNX Runtime runs on the calling thread
	// (one intra-op thread), so the thread's CPU time is the window's cost.
	runtime.LockOSThread()
	defer runtime.UnlockOSThread()
	cpu0 := threadCPU(b)
	b.ReportAllocs()
	for i := 0; b.Loop(); i++ {
		w := (i % n) * WindowSamples
		if _, err := s.Write(x[w : w+WindowSamples]); err != nil {
			b.Fatal(err)
		}
	}
	cpu := float64(threadCPU(b)-cpu0) / float64(b.N)
	b.ReportMetric(cpu, "cpu-ns/op")
	// Real-time factor: the share of one core a call's VAD takes.
	b.ReportMetric(cpu/32e6, "rtf")
}

// threadCPU is the CPU time of the calling OS thread in nanoseconds.
func threadCPU(tb testing.TB) int64 {
	var ru syscall.Rusage
	if err := syscall.Getrusage(1 /* RUSAGE_THREAD */, &ru); err != nil {
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

// BenchmarkSileroWindowParallel runs a stream per goroutine on the shared
// session: ns/op is the wall time per window with all cores busy.
func BenchmarkSileroWindowParallel(b *testing.B) {
	m := openSileroT(b)
	x := speech(b, "slt", sentences[0])
	n := len(x) / WindowSamples
	b.RunParallel(func(pb *testing.PB) {
		s, err := m.NewStream()
		if err != nil {
			b.Error(err)
			return
		}
		defer func() { _ = s.Close() }()
		for i := 0; pb.Next(); i++ {
			w := (i % n) * WindowSamples
			if _, err := s.Write(x[w : w+WindowSamples]); err != nil {
				b.Error(err)
				return
			}
		}
	})
}

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
