package vad

import (
	"errors"
	"slices"
	"testing"
)

// eachModel runs f on the energy model and, if its assets are present, on
// Silero alone and behind the energy gate.
func eachModel(t *testing.T, f func(t *testing.T, m Model)) {
	t.Run("energy", func(t *testing.T) {
		m := NewEnergy()
		t.Cleanup(func() { _ = m.Close() })
		f(t, m)
	})
	t.Run("silero", func(t *testing.T) { f(t, openSileroT(t)) })
	t.Run("gated", func(t *testing.T) { f(t, gatedT(t, openSileroT(t))) })
}

func writeAll(t testing.TB, s Stream, x []int16, chunk int) []float32 {
	t.Helper()
	var out []float32
	for i := 0; i < len(x); i += chunk {
		p, err := s.Write(x[i:min(i+chunk, len(x))])
		if err != nil {
			t.Fatal(err)
		}
		out = append(out, p...)
	}
	return out
}

func TestStreamingEqualsOneShot(t *testing.T) {
	eachModel(t, func(t *testing.T, m Model) {
		x := addNoise(dialogue([][]int16{speech(t, "slt", sentences[1])}, 0.3), white, 10, 3)
		x = append(x, 1, 2, 3) // a partial window stays pending
		whole := writeAll(t, newStreamT(t, m), x, len(x))
		if len(whole) != len(x)/WindowSamples {
			t.Fatalf("%d windows from %d samples", len(whole), len(x))
		}
		for _, chunk := range []int{1, 160, 320, 511, 513, 4096} {
			got := writeAll(t, newStreamT(t, m), x, chunk)
			if !slices.Equal(got, whole) {
				t.Fatalf("in chunks of %d: %v\none shot: %v", chunk, got, whole)
			}
		}
	})
}

// TestReset checks a stream scores like a new one after Reset, whatever
// state, context and partial window it had.
func TestReset(t *testing.T) {
	eachModel(t, func(t *testing.T, m Model) {
		x := addNoise(speech(t, "slt", sentences[2]), white, 10, 5)[:40*WindowSamples]
		s := newStreamT(t, m)
		first := writeAll(t, s, x, 320)
		writeAll(t, s, x[:1000], 320)
		s.Reset()
		if again := writeAll(t, s, x, 320); !slices.Equal(again, first) {
			t.Fatalf("after Reset: %v\nnew stream: %v", again, first)
		}
		if s.WindowSamples() != WindowSamples {
			t.Errorf("WindowSamples() = %d", s.WindowSamples())
		}
	})
}

// TestDetects checks the basics on one clip: silence scores low, the
// middle of the sentence high.
func TestDetects(t *testing.T) {
	eachModel(t, func(t *testing.T, m Model) {
		x := dialogue([][]int16{speech(t, "rms", sentences[0])}, 1)
		probs := scoreAll(t, m, x)
		want := labels(x)
		if r := score(probs, want); r.acc < 0.85 || r.recall < 0.85 {
			t.Errorf("%s: %+v", m.Name(), r)
		}
		if p := probs[10]; p > 0.2 {
			t.Errorf("%s: silence scored %.2f", m.Name(), p)
		}
	})
}

func TestStreamClose(t *testing.T) {
	eachModel(t, func(t *testing.T, m Model) {
		s := newStreamT(t, m)
		if err := errors.Join(s.Close(), s.Close()); err != nil {
			t.Fatal(err)
		}
		if _, err := s.Write(make([]int16, WindowSamples)); !errors.Is(err, ErrClosed) {
			t.Fatalf("Write after Close: %v, want ErrClosed", err)
		}
		s.Reset() // harmless after Close
		other := newStreamT(t, m)
		if err := errors.Join(m.Close(), m.Close()); err != nil {
			t.Fatal(err)
		}
		if _, err := other.Write(make([]int16, WindowSamples)); !errors.Is(err, ErrClosed) {
			t.Fatalf("Write after model Close: %v, want ErrClosed", err)
		}
		if _, err := m.NewStream(); !errors.Is(err, ErrClosed) {
			t.Fatalf("NewStream after Close: %v, want ErrClosed", err)
		}
	})
}

func TestAllocs(t *testing.T) {
	eachModel(t, func(t *testing.T, m Model) {
		s := newStreamT(t, m)
		frame := speech(t, "slt", sentences[0])[8000:8320]
		if n := testing.AllocsPerRun(200, func() { _, _ = s.Write(frame) }); n != 0 {
			t.Errorf("%v allocations per 20 ms Write, want 0", n)
		}
	})
}

// TestCloseWhileWriting closes a stream, then its model, from another
// goroutine while it is being written: Write must stop with ErrClosed,
// never crash or race.
func TestCloseWhileWriting(t *testing.T) {
	eachModel(t, func(t *testing.T, m Model) {
		frame := speech(t, "slt", sentences[0])[8000:8320]
		for _, closeModel := range []bool{false, true} {
			s := newStreamT(t, m)
			done := make(chan error)
			go func() {
				for {
					if _, err := s.Write(frame); err != nil {
						done <- err
						return
					}
				}
			}()
			var err error
			if closeModel {
				err = m.Close()
			} else {
				err = s.Close()
			}
			if err != nil {
				t.Fatal(err)
			}
			if err := <-done; !errors.Is(err, ErrClosed) {
				t.Fatalf("Write: %v, want ErrClosed", err)
			}
		}
	})
}
