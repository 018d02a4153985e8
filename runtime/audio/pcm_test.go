package audio

import (
	"errors"
	"slices"
	"testing"
	"time"
)

func TestPCMDuration(t *testing.T) {
	tests := []struct {
		p    PCM
		want time.Duration
	}{
		{PCM{Samples: make([]int16, 320), Rate: 16000}, 20 * time.Millisecond},
		{PCM{Samples: make([]int16, 441), Rate: 22050}, 20 * time.Millisecond},
		{PCM{Samples: make([]int16, 10), Rate: 0}, 0},
		{PCM{Rate: 48000}, 0},
	}
	for _, tc := range tests {
		if got := tc.p.Duration(); got != tc.want {
			t.Errorf("%d samples at %d Hz: %v, want %v", len(tc.p.Samples), tc.p.Rate, got, tc.want)
		}
	}
}

func TestBytesRoundTrip(t *testing.T) {
	p := PCM{Samples: []int16{0, 1, -1, 0x1234, -32768, 32767}, Rate: 8000}
	b := p.Bytes()
	if want := []byte{0, 0, 1, 0, 0xFF, 0xFF, 0x34, 0x12, 0x00, 0x80, 0xFF, 0x7F}; !slices.Equal(b, want) {
		t.Fatalf("Bytes() = % x, want % x", b, want)
	}
	got, err := AppendSamplesLE([]int16{9}, b)
	if err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(got, append([]int16{9}, p.Samples...)) {
		t.Errorf("AppendSamplesLE = %v", got)
	}
	if got, err := AppendSamplesLE([]int16{9}, b[:3]); !errors.Is(err, ErrOddLength) || len(got) != 1 {
		t.Errorf("odd length: %v, %v", got, err)
	}
}

func TestDownmix(t *testing.T) {
	tests := []struct {
		name     string
		in       []int16
		channels int
		want     []int16
	}{
		{"mono copies", []int16{1, 2, 3}, 1, []int16{1, 2, 3}},
		{"stereo averages", []int16{100, 300, -32768, -32768, 32767, 32767, 1, 2}, 2, []int16{200, -32768, 32767, 1}},
		{"partial frame dropped", []int16{1, 3, 5}, 2, []int16{2}},
		{"no channels", []int16{1, 2}, 0, nil},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if got := Downmix(nil, tc.in, tc.channels); !slices.Equal(got, tc.want) {
				t.Errorf("got %v, want %v", got, tc.want)
			}
		})
	}
}
