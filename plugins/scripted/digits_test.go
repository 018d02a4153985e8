package main

import "testing"

func TestSpokenDigits(t *testing.T) {
	for _, tc := range []struct{ in, want string }{
		{"my order number is one two three four five", "12345"},
		{"It's 12345.", "12345"},
		{"order 12-34 please", "1234"},
		{"one 2 three", "123"},
		{"five oh seven", "507"},
		{"double five six", "556"},
		{"triple nine", "999"},
		{"I want one lamp", ""},       // a lone spelled digit is not a number
		{"oh, where is my order", ""}, // nor is "oh"
		{"order 7", "7"},              // a numeral is
		{"one two and then three four five", "345"},
		{"one two, three four", "1234"},
		{"주문번호는 일이삼사오 입니다", "12345"},
		{"일 이 삼", "123"},
		{"이 주문은요", ""}, // 이 alone is "this"
		{"이사 했어요", ""}, // two digit syllables in one word: moving house
		{"double five", "55"},
		{"double trouble", ""},
		{"no digits here", ""},
		{"1234567890123456789012345678901234567890", "12345678901234567890123456789012"},
	} {
		if got := spokenDigits(tc.in); got != tc.want {
			t.Errorf("spokenDigits(%q) = %q, want %q", tc.in, got, tc.want)
		}
	}
}
