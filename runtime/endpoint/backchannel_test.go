package endpoint

import "testing"

func TestBackchannels(t *testing.T) {
	b := NewBackchannels(append(append([]string{}, DefaultBackchannels["en"]...), DefaultBackchannels["ko"]...))
	for _, s := range []string{"uh-huh", "Uh huh.", "mm-hmm", "yeah", "Okay!", "right", "I see", "yeah yeah", "okay, got it", "네", "네 네", "응", "그렇죠", "맞아요."} {
		if !b.Match(s) {
			t.Errorf("Match(%q) = false", s)
		}
		if !b.Prefix(s) {
			t.Errorf("Prefix(%q) = false", s)
		}
	}
	for _, s := range []string{"", "wait", "stop", "no", "yeah but I said tuesday", "okay stop talking", "yeah yeah yeah yeah yeah", "I want", "잠깐만요", "아니요 그게 아니고"} {
		if b.Match(s) {
			t.Errorf("Match(%q) = true", s)
		}
	}
	// Partials on their way to an acknowledgement, and ones that are not.
	for _, s := range []string{"", "uh", "all", "i", "yeah got"} {
		if !b.Prefix(s) {
			t.Errorf("Prefix(%q) = false", s)
		}
	}
	for _, s := range []string{"wait", "hold on", "no", "i want", "yeah wait", "잠깐"} {
		if b.Prefix(s) {
			t.Errorf("Prefix(%q) = true", s)
		}
	}
	// Misheard acknowledgements and interruptions.
	for _, s := range []string{"huh", "ahead", "you have", "of it", "you have a", "though i see", "네"} {
		if !b.Likely(s) || b.Long(s) {
			t.Errorf("%q: Likely %v, Long %v; want an acknowledgement", s, b.Likely(s), b.Long(s))
		}
	}
	for _, s := range []string{"wait", "stop", "no", "hold on", "no that's not what I asked", "I need to change the date", "which store", "잠깐만요", "Goodbye.", "hello"} {
		if b.Likely(s) || b.Match(s) {
			t.Errorf("%q: Likely %v, Match %v; want an interruption", s, b.Likely(s), b.Match(s))
		}
	}
	// A partial with more words than any acknowledgement is an
	// interruption before the speech ends.
	for s, want := range map[string]bool{"you know you have": false, "no that's not what I asked": true, "yeah yeah okay": false, "yeah yeah okay sure fine": true} {
		if b.Long(s) != want {
			t.Errorf("Long(%q) = %v", s, !want)
		}
	}
	// An agent's own list replaces the defaults.
	own := NewBackchannels([]string{"roger", "  ", "copy that"})
	if !own.Match("Roger.") || !own.Match("copy that") || own.Match("yeah") {
		t.Error("own list")
	}
}
