package main

import (
	"strings"
	"testing"

	"github.com/stretchr/testify/require"
)

func TestDistance(t *testing.T) {
	for _, tc := range []struct {
		a, b string
		want int
	}{
		{"", "", 0}, {"", "abc", 3}, {"abc", "", 3}, {"order", "order", 0},
		{"order", "ordr", 1}, {"order", "oredr", 1}, {"delivery", "delivry", 1},
		{"kitten", "sitting", 3}, {"ca", "abc", 3},
		{strings.Repeat("a", 40), strings.Repeat("a", 39) + "b", 1},
	} {
		t.Run(tc.a+"/"+tc.b, func(t *testing.T) {
			a, b := []rune(tc.a), []rune(tc.b)
			var buf []int
			require.Equal(t, tc.want, boundedDistance(a, b, 100, &buf))
			require.Equal(t, tc.want, boundedDistance(b, a, 100, &buf))
			for k := range tc.want + 2 {
				// Within the bound the distance, beyond it k+1.
				require.Equal(t, min(tc.want, k+1), boundedDistance(a, b, k, &buf), "k=%d", k)
			}
		})
	}
}

func TestSimilar(t *testing.T) {
	at := func(threshold float64) *script {
		s := &script{}
		s.setFuzzy(threshold)
		return s
	}
	var buf []int
	for _, tc := range []struct {
		a, b      string
		threshold float64
		want      float64
	}{
		{"", "", 0.8, 1},
		{"order", "ordr", 0.8, 0.8},
		{"order", "ordr", 0.81, 0},
		{"delivery", "delivry", 0.8, 0.875},
		{"order", "hours", 0.5, 0},
		{"representative", "represenattive", 0.8, 13.0 / 14},                     // one transposition, k=2: the banded path
		{"representative", "reprsentatve", 0.8, 12.0 / 14},                       // two deletions
		{"representative", "rpresntatve", 0.8, 0},                                // three
		{strings.Repeat("a", 40), strings.Repeat("a", 39) + "b", 0.9, 39.0 / 40}, // beyond the table
	} {
		t.Run(tc.a+"/"+tc.b, func(t *testing.T) {
			require.InDelta(t, tc.want, at(tc.threshold).similar([]rune(tc.a), []rune(tc.b), &buf), 1e-9)
		})
	}
	// One wrong vowel in Hangul is one jamo of five, not one syllable of two.
	a, _ := appendLetters(nil, nil, "배송")
	b, _ := appendLetters(nil, nil, "베송")
	require.InDelta(t, 0.8, at(0.8).similar(a, b, &buf), 1e-9)
}

// TestEditsUpToOne checks the one-pass path against the full computation
// on every pair of short strings over a small alphabet.
func TestEditsUpToOne(t *testing.T) {
	var words [][]rune
	var gen func(prefix []rune)
	gen = func(prefix []rune) {
		words = append(words, append([]rune(nil), prefix...))
		if len(prefix) == 4 {
			return
		}
		for _, r := range "abc" {
			gen(append(prefix, r))
		}
	}
	gen(nil)
	var buf []int
	for _, a := range words {
		for _, b := range words {
			want := min(boundedDistance(a, b, 100, &buf), 2)
			if got := editsUpToOne(a, b); got != want {
				t.Fatalf("editsUpToOne(%q, %q) = %d, want %d", string(a), string(b), got, want)
			}
		}
	}
}
