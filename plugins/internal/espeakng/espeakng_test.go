package espeakng

import (
	"context"
	"errors"
	"testing"
)

var normal = Voice{Name: "en-us", Pitch: -1, Range: -1}

func speak(t *testing.T, ctx context.Context, text string, v Voice, emit func([]int16) error) (samples int, err error) {
	t.Helper()
	err = Synthesize(ctx, text, v, func(pcm []int16) error {
		samples += len(pcm)
		if emit != nil {
			return emit(pcm)
		}
		return nil
	})
	return samples, err
}

func TestSampleRate(t *testing.T) {
	if r, err := SampleRate(); err != nil || r != 22050 {
		t.Fatalf("SampleRate() = %d, %v", r, err)
	}
}

func TestVoices(t *testing.T) {
	for _, v := range []string{"en-us", "en-us+f2", "en-gb-x-rp+m1", "en+f4", "ko", "ko+m7"} {
		n, err := speak(t, context.Background(), "Hello. 안녕하세요.", Voice{Name: v, Rate: 200, Pitch: 60, Range: 60}, nil)
		if err != nil || n < 22050/2 {
			t.Errorf("voice %s: %d samples, %v", v, n, err)
		}
	}
	if _, err := speak(t, context.Background(), "Hello.", Voice{Name: "xx-nope"}, nil); !errors.Is(err, ErrVoice) {
		t.Fatalf("unknown voice: %v", err)
	}
}

func TestEmitErrorAborts(t *testing.T) {
	stop := errors.New("enough")
	calls := 0
	_, err := speak(t, context.Background(), "One. Two. Three. Four. Five. Six. Seven. Eight.", normal, func([]int16) error {
		calls++
		if calls == 2 {
			return stop
		}
		return nil
	})
	if !errors.Is(err, stop) || calls != 2 {
		t.Fatalf("Synthesize = %v after %d pieces; want the emit error after 2", err, calls)
	}
	if n, err := speak(t, context.Background(), "Still here.", normal, nil); err != nil || n == 0 {
		t.Fatalf("after an abort: %d samples, %v", n, err)
	}
}

func TestCancelledContext(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	n, err := speak(t, ctx, "Hello.", normal, nil)
	if !errors.Is(err, context.Canceled) || n != 0 {
		t.Fatalf("cancelled: %d samples, %v", n, err)
	}
}

func TestLanguages(t *testing.T) {
	langs, err := Languages()
	if err != nil {
		t.Fatal(err)
	}
	has := map[string]bool{}
	for _, l := range langs {
		has[l] = true
	}
	for _, want := range []string{"en", "ko", "fr", "pt-br", "de"} {
		if !has[want] {
			t.Errorf("%s missing from %d languages: %v", want, len(langs), langs)
		}
	}
	if len(langs) < 50 {
		t.Errorf("only %d languages", len(langs))
	}
}
