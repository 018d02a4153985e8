package flite

import (
	"context"
	"errors"
	"reflect"
	"testing"
)

func TestSentences(t *testing.T) {
	for _, tc := range []struct {
		in   string
		want []string
	}{
		{"Hello. How are you?", []string{"Hello.", "How are you?"}},
		{"It costs 3.50 dollars! Really?", []string{"It costs 3.50 dollars!", "Really?"}},
		{"First line\nsecond line", []string{"First line", "second line"}},
		{"Wait; then go", []string{"Wait;", "then go"}},
		{"  no end  ", []string{"no end"}},
		{"...", []string{"..."}},
		{" \n ", nil},
	} {
		if got := Sentences(tc.in); !reflect.DeepEqual(got, tc.want) {
			t.Errorf("Sentences(%q) = %q, want %q", tc.in, got, tc.want)
		}
	}
}

func speak(ctx context.Context, text string, v Voice, emit func([]int16) error) (samples, pieces int, err error) {
	err = Synthesize(ctx, text, v, func(pcm []int16) error {
		samples += len(pcm)
		pieces++
		if emit != nil {
			return emit(pcm)
		}
		return nil
	})
	return samples, pieces, err
}

func TestVoices(t *testing.T) {
	for _, v := range Voices {
		n, pieces, err := speak(context.Background(), "Hello there.", Voice{Name: v}, nil)
		if err != nil || n < SampleRate/2 || pieces < 2 {
			t.Errorf("voice %s: %d samples in %d pieces, %v", v, n, pieces, err)
		}
	}
	if _, _, err := speak(context.Background(), "Hello.", Voice{Name: "nope"}, nil); !errors.Is(err, ErrVoice) {
		t.Fatalf("unknown voice: %v", err)
	}
}

func TestRate(t *testing.T) {
	slow, _, err := speak(context.Background(), "Thank you for calling.", Voice{Name: "slt", Rate: 100}, nil)
	if err != nil {
		t.Fatal(err)
	}
	fast, _, err := speak(context.Background(), "Thank you for calling.", Voice{Name: "slt", Rate: 300}, nil)
	if err != nil {
		t.Fatal(err)
	}
	if slow < fast*2 {
		t.Fatalf("%d samples at 100 wpm, %d at 300", slow, fast)
	}
}

func TestEmitErrorStops(t *testing.T) {
	stop := errors.New("enough")
	_, pieces, err := speak(context.Background(), "One two three four five six seven. Eight nine ten.", Voice{Name: "rms"}, func([]int16) error { return stop })
	if !errors.Is(err, stop) || pieces != 1 {
		t.Fatalf("Synthesize = %v after %d pieces; want the emit error after 1", err, pieces)
	}
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if n, _, err := speak(ctx, "Hello.", Voice{Name: "slt"}, nil); !errors.Is(err, context.Canceled) || n != 0 {
		t.Fatalf("cancelled: %d samples, %v", n, err)
	}
	if n, _, err := speak(context.Background(), "Still here.", Voice{Name: "rms"}, nil); err != nil || n == 0 {
		t.Fatalf("after a stop: %d samples, %v", n, err)
	}
}
