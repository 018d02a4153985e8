package speechtest

import (
	"reflect"
	"testing"
)

func TestWords(t *testing.T) {
	for _, tc := range []struct {
		in   string
		want []string
	}{
		{"Don't stop!", []string{"dont", "stop"}},
		{"  Hello,   WORLD. ", []string{"hello", "world"}},
		{"", []string{}},
		{"order #42", []string{"order", "42"}},
	} {
		if got := Words(tc.in); !reflect.DeepEqual(got, tc.want) {
			t.Errorf("Words(%q) = %q, want %q", tc.in, got, tc.want)
		}
	}
}

func TestWordErrors(t *testing.T) {
	for _, tc := range []struct {
		ref, hyp    string
		errs, words int
	}{
		{"the cat sat", "the cat sat", 0, 3},
		{"the cat sat", "The cat, sat.", 0, 3},
		{"the cat sat", "the bat sat", 1, 3},      // substitution
		{"the cat sat", "the sat", 1, 3},          // deletion
		{"the cat sat", "the cat sat down", 1, 3}, // insertion
		{"the cat sat", "", 3, 3},
		{"", "noise", 1, 0},
	} {
		errs, words := WordErrors(tc.ref, tc.hyp)
		if errs != tc.errs || words != tc.words {
			t.Errorf("WordErrors(%q, %q) = %d, %d; want %d, %d", tc.ref, tc.hyp, errs, words, tc.errs, tc.words)
		}
	}
}
