package main

import (
	"testing"

	"github.com/stretchr/testify/require"
)

func TestTerms(t *testing.T) {
	for _, tc := range []struct {
		in    string
		words []string
		stems []string
	}{
		{"Where's my ORDER?!", []string{"wheres", "my", "order"}, []string{"wher", "my", "order"}},
		{"That’s all, thanks.", []string{"thats", "all", "thanks"}, []string{"that", "all", "thank"}},
		{"shipped/shipping-ship", []string{"shipped", "shipping", "ship"}, []string{"ship", "ship", "ship"}},
		{"주문 상태를 확인하고 싶어요.", []string{"주문", "상태를", "확인하고", "싶어요"}, []string{"주문", "상태를", "확인하고", "싶어요"}},
		{"  ", nil, nil},
	} {
		t.Run(tc.in, func(t *testing.T) {
			var words, stems []string
			for _, term := range terms(tc.in) {
				words = append(words, term.word)
				stems = append(stems, term.stem)
			}
			require.Equal(t, tc.words, words)
			require.Equal(t, tc.stems, stems)
		})
	}
}

func TestStem(t *testing.T) {
	for _, group := range [][]string{
		{"order", "orders", "ordered", "ordering"},
		{"close", "closes", "closed", "closing"},
		{"arrive", "arrives", "arrived", "arriving"},
		{"package", "packages"},
		{"delivery", "deliveries"},
		{"call", "calls", "called", "calling"},
		{"ship", "ships", "shipped", "shipping"},
		{"refund", "refunds", "refunded"},
	} {
		t.Run(group[0], func(t *testing.T) {
			for _, w := range group[1:] {
				require.Equal(t, stem(group[0]), stem(w), w)
			}
		})
	}
	require.NotEqual(t, stem("bye"), stem("by"))
}

func TestLetters(t *testing.T) {
	spelling, ends := appendLetters(nil, nil, "배송이")
	require.Equal(t, []rune{0x1107, 0x1162, 0x1109, 0x1169, 0x11BC, 0x110B, 0x1175}, spelling) // ㅂㅐ ㅅㅗㅇ ㅇㅣ
	require.Equal(t, []int{2, 5, 7}, ends)
	spelling, ends = appendLetters([]rune("x"), nil, "a배")
	require.Equal(t, []rune{'x', 'a', 0x1107, 0x1162}, spelling)
	require.Equal(t, []int{1, 3}, ends)
}
