package main

import (
	"testing"
	"time"

	"github.com/stretchr/testify/require"
)

func TestVoiceDetector(t *testing.T) {
	t0 := time.Unix(1000, 0)
	at := func(i int) time.Time { return t0.Add(time.Duration(i) * 20 * time.Millisecond) }
	tests := []struct {
		name   string
		voiced string // one packet per character: v voiced, . not
		want   []voiceEvent
	}{
		{"silence only", "..........", nil},
		{"one stray packet is no voice", "...v......", nil},
		{"start dated by its first packet", "..vvvv", []voiceEvent{{voiceStart, at(2)}}},
		{"end dated by the last voiced packet", "vvvv.....", []voiceEvent{{voiceStart, at(0)}, {voiceEnd, at(3)}}},
		{"a short dip does not end it", "vvv..vvv.....", []voiceEvent{{voiceStart, at(0)}, {voiceEnd, at(7)}}},
		{"not yet ended", "vvvv....", []voiceEvent{{voiceStart, at(0)}}},
		{"two utterances", "vv.....vvv.....", []voiceEvent{{voiceStart, at(0)}, {voiceEnd, at(1)}, {voiceStart, at(7)}, {voiceEnd, at(9)}}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			d := newVoiceDetector(2, 5)
			var got []voiceEvent
			for i, c := range tt.voiced {
				if ev, ok := d.Push(at(i), c == 'v'); ok {
					got = append(got, ev)
				}
			}
			require.Equal(t, tt.want, got)
		})
	}
}

func TestVoiceKindString(t *testing.T) {
	require.Equal(t, "start", voiceStart.String())
	require.Equal(t, "end", voiceEnd.String())
	require.Equal(t, "unknown", voiceUnknown.String())
}
