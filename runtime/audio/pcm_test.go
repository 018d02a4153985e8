package audio

import (
	"slices"
	"testing"
)

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
