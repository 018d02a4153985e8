package turn

import (
	"reflect"
	"strings"
	"testing"
)

func chunkAll(pieces []string, minRunes int) []string {
	c := &chunker{minRunes: minRunes}
	var out []string
	for _, p := range pieces {
		out = append(out, c.Push(p)...)
	}
	if rest := c.Flush(); rest != "" {
		out = append(out, rest)
	}
	return out
}

func TestChunker(t *testing.T) {
	tests := []struct {
		name   string
		pieces []string
		want   []string
	}{
		{"english", []string{"Hello there. ", "How can I ", "help you today? Bye"}, []string{"Hello there.", "How can I help you today?", "Bye"}},
		{"token by token", strings.SplitAfter("We open at nine. We close at six!", ""), []string{"We open at nine.", "We close at six!"}},
		{"numbers", []string{"It costs 3.", "50 dollars. Thanks."}, []string{"It costs 3.50 dollars.", "Thanks."}},
		{"abbreviation", []string{"Ask Dr. Kim about it. Or me."}, []string{"Ask Dr. Kim about it.", "Or me."}},
		{"korean", []string{"안녕하세요! 무엇을 ", "도와드릴까요? 주문 번호를 알려주세요."}, []string{"안녕하세요!", "무엇을 도와드릴까요?", "주문 번호를 알려주세요."}},
		{"full width", []string{"はい。そうです。"}, []string{"はい。", "そうです。"}},
		{"marks together", []string{"Really?! Yes... ok."}, []string{"Really?!", "Yes...", "ok."}},
		{"quote after", []string{`He said "go." Then left.`}, []string{`He said "go."`, "Then left."}},
		{"newline", []string{"First line\nSecond line"}, []string{"First line", "Second line"}},
		{"no end", []string{"just words"}, []string{"just words"}},
		{"empty", []string{""}, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := chunkAll(tt.pieces, 0); !reflect.DeepEqual(got, tt.want) {
				t.Errorf("got %q, want %q", got, tt.want)
			}
		})
	}
}

func TestChunkerKeepsShortFragmentsTogether(t *testing.T) {
	got := chunkAll([]string{"Sure. Ok. Yes. We open at nine in the morning. Bye."}, 12)
	want := []string{"Sure.", "Ok. Yes. We open at nine in the morning.", "Bye."}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("got %q, want %q", got, want)
	}
}
