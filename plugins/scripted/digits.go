package main

import (
	"strings"
	"unicode"
)

// maxDigits bounds the digits taken from one turn: an order or phone number
// is far shorter, and a caller reading out a long text must not become a
// long argument.
const maxDigits = 32

// englishDigits are the words speech recognisers write for digits.
var englishDigits = map[string]byte{
	"zero": '0', "oh": '0', "o": '0', "nought": '0',
	"one": '1', "two": '2', "three": '3', "four": '4', "five": '5',
	"six": '6', "seven": '7', "eight": '8', "nine": '9',
}

// koreanDigits are the Sino-Korean digits (일 이 삼 ...), read one syllable
// a digit as Koreans read numbers out.
var koreanDigits = map[rune]byte{
	'공': '0', '영': '0', '일': '1', '이': '2', '삼': '3', '사': '4',
	'오': '5', '육': '6', '륙': '6', '칠': '7', '팔': '8', '구': '9',
}

// spokenDigits is the number the caller read out: the longest run of
// digits in text (the first on a tie), written as numerals ("12345") or
// as words the way recognisers write them ("one two three four five",
// "double five", "일이삼사오"). Spelled digits only count in a run of two
// words or more, or of three digits or more, so that "one" in "I want one",
// "oh" in "oh, my order" or 이사 (moving house) is not a number; numerals
// always count. Runs end at any other word.
func spokenDigits(text string) string {
	var best, run []byte
	numeral := false // the run holds a written numeral
	words := 0       // the run's words
	end := func() {
		if (numeral || words >= 2 || len(run) >= 3) && len(run) > len(best) {
			best = append(best[:0], run...)
		}
		run, numeral, words = run[:0], false, 0
	}
	repeat := 0 // "double" or "triple" before the next digit
	for _, w := range strings.Fields(digitText(text)) {
		if n := repeatOf(w); n > 0 {
			repeat = n
			words++
			continue
		}
		ds, written := wordDigits(w)
		if ds == "" {
			if repeat > 0 {
				words-- // "double" led to no digit
			}
			end()
			repeat = 0
			continue
		}
		if repeat > 0 {
			ds = strings.Repeat(ds[:1], repeat) + ds[1:]
			repeat = 0
		}
		run = append(run, ds...)
		numeral = numeral || written
		words++
	}
	end()
	if len(best) > maxDigits {
		best = best[:maxDigits]
	}
	return string(best)
}

// digitText lower-cases text and makes every character that is not a
// letter or digit a space (hyphens and commas split a read-out number as
// pauses do).
func digitText(text string) string {
	return strings.Map(func(r rune) rune {
		if unicode.IsLetter(r) || unicode.IsDigit(r) {
			return unicode.ToLower(r)
		}
		return ' '
	}, text)
}

func repeatOf(w string) int {
	switch w {
	case "double":
		return 2
	case "triple":
		return 3
	}
	return 0
}

// wordDigits is the digits word stands for ("" for none) and whether they
// were written as numerals. A word with numerals gives those (a1234: 1234);
// a Korean word gives digits only when every syllable is a digit.
func wordDigits(w string) (string, bool) {
	var b strings.Builder
	for _, r := range w {
		if r >= '0' && r <= '9' {
			b.WriteRune(r)
		}
	}
	if b.Len() > 0 {
		return b.String(), true
	}
	if d, ok := englishDigits[w]; ok {
		return string(d), false
	}
	for _, r := range w {
		d, ok := koreanDigits[r]
		if !ok {
			return "", false
		}
		b.WriteByte(d)
	}
	return b.String(), false
}
