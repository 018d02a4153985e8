package vad

import (
	"errors"
	"fmt"
	"io/fs"
	"math"
	"path/filepath"
	"sync"
	"testing"
	"time"

	ort "github.com/yalue/onnxruntime_go"
)

// referenceProbs runs the upstream algorithm (snakers4/silero-vad
// OnnxWrapper) window by window with fresh tensors and a plain Run, to
// check the bound, allocation-free path against it.
func referenceProbs(t *testing.T, m *sileroModel, x []int16) []float32 {
	t.Helper()
	state := make([]float32, stateSize)
	context := make([]float32, contextSamples)
	var probs []float32
	for i := 0; i+WindowSamples <= len(x); i += WindowSamples {
		in := append([]float32(nil), context...)
		for _, v := range x[i : i+WindowSamples] {
			in = append(in, float32(v)/32768)
		}
		inT, err := ort.NewTensor(ort.NewShape(1, int64(len(in))), in)
		if err != nil {
			t.Fatal(err)
		}
		stT, err := ort.NewTensor(ort.NewShape(2, 1, 128), append([]float32(nil), state...))
		if err != nil {
			t.Fatal(err)
		}
		outs := []ort.Value{nil, nil}
		if err := m.session.Run([]ort.Value{inT, stT, m.sr}, outs); err != nil {
			t.Fatal(err)
		}
		probs = append(probs, outs[0].(*ort.Tensor[float32]).GetData()[0])
		copy(state, outs[1].(*ort.Tensor[float32]).GetData())
		copy(context, in[len(in)-contextSamples:])
		for _, v := range []ort.Value{inT, stT, outs[0], outs[1]} {
			_ = v.Destroy()
		}
	}
	return probs
}

func TestSileroMatchesReference(t *testing.T) {
	m := openSileroT(t).(*sileroModel)
	x := dialogue([][]int16{speech(t, "slt", sentences[0])}, 0.5)
	want := referenceProbs(t, m, x)
	got := scoreAll(t, m, x)
	if len(got) != len(x)/WindowSamples || len(want) != len(got) {
		t.Fatalf("%d windows, reference %d, want %d", len(got), len(want), len(x)/WindowSamples)
	}
	for i := range got {
		if math.Abs(float64(got[i]-want[i])) > 1e-5 {
			t.Fatalf("window %d: %.6f, reference %.6f", i, got[i], want[i])
		}
	}
}

func TestSileroConcurrent(t *testing.T) {
	m := openSileroT(t)
	var clips [][]int16
	var want [][]float32
	for _, text := range sentences {
		c := dialogue([][]int16{speech(t, "slt", text)}, 0.2)
		clips = append(clips, c)
		want = append(want, scoreAll(t, m, c))
	}
	var wg sync.WaitGroup
	errs := make(chan error, 8*len(clips))
	for g := range 8 * len(clips) {
		wg.Go(func() {
			c, w := clips[g%len(clips)], want[g%len(clips)]
			s, err := m.NewStream()
			if err != nil {
				errs <- err
				return
			}
			defer func() { _ = s.Close() }()
			n := 0
			for i := 0; i < len(c); i += 320 {
				p, err := s.Write(c[i:min(i+320, len(c))])
				if err != nil {
					errs <- err
					return
				}
				for _, v := range p {
					if v != w[n] {
						errs <- errors.New("concurrent stream differs from a lone one")
						return
					}
					n++
				}
			}
		})
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Fatal(err)
	}
}

func TestSileroClose(t *testing.T) {
	dir := assetDir(t)
	lib, model := filepath.Join(dir, "libonnxruntime.so.1"), filepath.Join(dir, "silero_vad.onnx")
	// Twice, so ONNX Runtime is unloaded and loaded again.
	for range 2 {
		a, err := Open(lib, model)
		if err != nil {
			t.Fatal(err)
		}
		b, err := Open(lib, model)
		if err != nil {
			t.Fatal(err)
		}
		sa, _ := a.NewStream()
		sb, _ := b.NewStream()
		if err := a.Close(); err != nil {
			t.Fatal(err)
		}
		if _, err := sa.Write(make([]int16, WindowSamples)); !errors.Is(err, ErrClosed) {
			t.Fatalf("Write after model Close: %v, want ErrClosed", err)
		}
		if p, err := sb.Write(make([]int16, WindowSamples)); err != nil || len(p) != 1 {
			t.Fatalf("other model after Close: %v %v", p, err)
		}
		if _, err := a.NewStream(); !errors.Is(err, ErrClosed) {
			t.Fatalf("NewStream after Close: %v", err)
		}
		if err := errors.Join(sb.Close(), sb.Close(), b.Close(), b.Close()); err != nil {
			t.Fatal(err)
		}
		if _, err := sb.Write(make([]int16, WindowSamples)); !errors.Is(err, ErrClosed) {
			t.Fatalf("Write after stream Close: %v, want ErrClosed", err)
		}
	}
}

func TestOpenFallback(t *testing.T) {
	dir := t.TempDir()
	lib := filepath.Join(dir, "libonnxruntime.so.1")
	model := filepath.Join(dir, "silero_vad.onnx")
	tests := []struct {
		name, lib, model string
		notExist         bool
	}{
		{"empty paths", "", "", false},
		{"missing library", lib, model, true},
		{"missing model", "/usr/lib/os-release", model, true},
		{"not a library", "/etc/os-release", "/etc/os-release", false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			m, err := Open(tt.lib, tt.model)
			if m == nil || m.Name() != "energy" {
				t.Fatalf("model %v, want the energy model", m)
			}
			if !errors.Is(err, ErrFallback) {
				t.Fatalf("error %v does not wrap ErrFallback", err)
			}
			if got := errors.Is(err, fs.ErrNotExist); got != tt.notExist {
				t.Errorf("errors.Is(%v, fs.ErrNotExist) = %v", err, got)
			}
			t.Log(err)
			if _, err := m.NewStream(); err != nil {
				t.Fatal(err)
			}
		})
	}
}

// TestSileroBatches: the windows of calls speaking at the same time are
// scored together, and each call gets what it would get alone.
func TestSileroBatches(t *testing.T) {
	m := openSileroT(t).(*sileroModel)
	clip := dialogue([][]int16{speech(t, "slt", sentences[1])}, 0.2)[:40*WindowSamples]
	want := scoreAll(t, m, clip)
	runs0, scored0 := m.batch.runs.Load(), m.batch.scored.Load()
	const calls = 48 // 1500 windows a second: enough for the batcher to wait for a batch
	var wg sync.WaitGroup
	errs := make(chan error, calls)
	start := time.Now()
	for c := range calls {
		wg.Go(func() {
			s, err := m.NewStream()
			if err != nil {
				errs <- err
				return
			}
			defer func() { _ = s.Close() }()
			// Paced like a call: a window every 32 ms, calls out of step.
			at := start.Add(time.Duration(c) * windowDuration / calls)
			for i := range len(clip) / WindowSamples {
				time.Sleep(time.Until(at.Add(time.Duration(i) * windowDuration)))
				p, err := s.Write(clip[i*WindowSamples : (i+1)*WindowSamples])
				if err != nil {
					errs <- err
					return
				}
				if d := math.Abs(float64(p[0] - want[i])); d > 1e-5 {
					errs <- fmt.Errorf("call %d window %d: %.6f, alone %.6f", c, i, p[0], want[i])
					return
				}
			}
		})
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Fatal(err)
	}
	runs, scored := m.batch.runs.Load()-runs0, m.batch.scored.Load()-scored0
	if scored != calls*int64(len(want)) {
		t.Fatalf("%d windows scored, want %d", scored, calls*len(want))
	}
	mean := float64(scored) / float64(runs)
	t.Logf("%d windows in %d runs: %.1f per run", scored, runs, mean)
	if mean < 3 {
		t.Errorf("%.1f windows per run: the calls' windows were not batched", mean)
	}
}
