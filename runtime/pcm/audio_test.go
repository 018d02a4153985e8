package pcm

import (
	"errors"
	"slices"
	"testing"
	"time"
)

func TestAudioDuration(t *testing.T) {
	tests := []struct {
		a    Audio
		want time.Duration
	}{
		{Audio{Samples: make([]int16, 320), Rate: 16000}, 20 * time.Millisecond},
		{Audio{Samples: make([]int16, 441), Rate: 22050}, 20 * time.Millisecond},
		{Audio{Samples: make([]int16, 10), Rate: 0}, 0},
		{Audio{Rate: 48000}, 0},
	}
	for _, tc := range tests {
		if got := tc.a.Duration(); got != tc.want {
			t.Errorf("%d samples at %d Hz: %v, want %v", len(tc.a.Samples), tc.a.Rate, got, tc.want)
		}
	}
}

func TestBytesRoundTrip(t *testing.T) {
	a := Audio{Samples: []int16{0, 1, -1, 0x1234, -32768, 32767}, Rate: 8000}
	b := a.Bytes()
	if want := []byte{0, 0, 1, 0, 0xFF, 0xFF, 0x34, 0x12, 0x00, 0x80, 0xFF, 0x7F}; !slices.Equal(b, want) {
		t.Fatalf("Bytes() = % x, want % x", b, want)
	}
	got, err := AppendSamplesLE([]int16{9}, b)
	if err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(got, append([]int16{9}, a.Samples...)) {
		t.Errorf("AppendSamplesLE = %v", got)
	}
	if got, err := AppendSamplesLE([]int16{9}, b[:3]); !errors.Is(err, ErrOddLength) || len(got) != 1 {
		t.Errorf("odd length: %v, %v", got, err)
	}
}
